/**
 * `keywitness rehearse SCRIPT --evidence DIR [--inputs FILE] [--out DIR]`: a preparer plays their
 * own script with simulated participants, from the files their tools wrote in a rehearsal
 * (`DIR/<step id>/<evidence id>.<extension>`) and the values an answers file says are typed.
 *
 * Before anything is signed it prints, step by step, every check with expected and observed, the
 * YAML path and line of each expectation that fails, and what is missing. With any problem it
 * exits 2 and writes nothing. Otherwise it plays the ceremony (`simulateCeremony`), writes the
 * rehearsal bundle and every receipt into `--out` (never overwriting) and audits them as
 * `keywitness audit` does, with its exit code; without `--out` the audit runs on the same bytes in
 * memory and nothing is written. It never runs a command of the script: it only reads files.
 *
 * What is decided (which file is which evidence, what counts as missing, the checks, who takes
 * part) is in core (`src/core/session/rehearsal-check.ts`); this reads files and prints.
 */
import { access, readdir, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { auditSession } from '../core/audit/verdict.js';
import { formatAuditReport } from '../core/audit/report-text.js';
import { KeywitnessError } from '../core/errors.js';
import { checkEvidence } from '../core/evidence/checks.js';
import { parseScript } from '../core/script/parse.js';
import { DEFAULT_MAX_SCRIPT_BYTES } from '../core/script/source-text.js';
import type { Script } from '../core/script/types.js';
import { decodeBundle, decodeReceipt, encodeBundle, encodeReceipt, receiptFileName } from '../core/session/files.js';
import {
  MAX_ANSWERS_BYTES,
  checkRehearsal,
  parseAnswers,
  planEvidenceFolder,
  rehearsalCoordinatorName,
  rehearsalParticipants,
  type AnswersFile,
  type EvidenceFolderPlan,
  type FolderEntry,
  type FolderListing,
  type RehearsalProblem,
  type RehearsalReport,
} from '../core/session/rehearsal-check.js';
import { simulateCeremony } from '../core/session/simulate.js';
import { sha256 } from '../core/util/hash.js';
import { installCryptoEngine } from '../node/crypto-engine.js';
import { exportFiles } from '../node/files.js';
import { IMPORT_LIMITS } from '../node/import-kinds.js';
import { UsageError, parseCommandArgs } from './args.js';
import { REHEARSE_SPEC, usageOf } from './commands.js';
import { runAudit } from './audit-command.js';
import type { CliCommand, CliIo } from './io.js';
import { readFileLimited, readKind } from './read.js';

export const REHEARSE_USAGE = usageOf(REHEARSE_SPEC);

/** The bundle's file name in `--out`. */
export const REHEARSAL_BUNDLE = 'rehearsal.keywitness.json';

async function kindOf(path: string): Promise<FolderEntry['kind']> {
  try {
    const info = await stat(path);
    return info.isFile() ? 'file' : info.isDirectory() ? 'folder' : 'other';
  } catch {
    return 'other'; // a broken link
  }
}

async function listEntries(path: string, shown: string): Promise<FolderEntry[]> {
  let names: string[];
  try {
    names = await readdir(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new KeywitnessError('NOT_FOUND', 'no such folder', { where: shown, cause: e });
    if (code === 'ENOTDIR') throw new KeywitnessError('INPUT_INVALID', 'is not a folder', { where: shown, cause: e });
    throw new KeywitnessError('IO_FAILED', `cannot list: ${(e as Error).message}`, { where: shown, cause: e });
  }
  const entries: FolderEntry[] = [];
  for (const name of names.sort()) entries.push({ name, kind: await kindOf(resolve(path, name)) });
  return entries;
}

/**
 * The evidence folder two levels deep (links followed), as core's planEvidenceFolder reads it.
 * `outside` is a folder the listing leaves out, should it be directly in `dir`: the rehearsal's
 * own `--out`, which is not evidence.
 */
export async function listEvidenceFolder(dir: string, outside?: string): Promise<FolderListing> {
  const entries = (await listEntries(resolve(dir), dir)).filter(
    (e) => outside === undefined || resolve(dir, e.name) !== resolve(outside),
  );
  const children: Record<string, readonly FolderEntry[]> = {};
  for (const e of entries) {
    if (e.kind === 'folder' && !e.name.startsWith('.'))
      children[e.name] = await listEntries(resolve(dir, e.name), `${dir}/${e.name}`);
  }
  return { root: dir, entries, children };
}

/** What a rehearsal reads: the folder's plan, the bytes of each evidence file, the answers. */
export interface RehearsalFiles {
  readonly folder: EvidenceFolderPlan;
  readonly evidence: ReadonlyMap<string, Uint8Array>;
  readonly answers: AnswersFile | undefined;
}

/** Read an evidence folder laid out as `DIR/<step id>/<evidence id>.<extension>`, and an answers file. */
export async function readRehearsalFiles(
  script: Script,
  dir: string,
  inputsFile: string | undefined,
  out?: string,
): Promise<RehearsalFiles> {
  const folder = planEvidenceFolder(script, await listEvidenceFolder(dir, out));
  const evidence = new Map<string, Uint8Array>();
  for (const file of folder.files.values())
    evidence.set(file.id, await readFileLimited(resolve(dir, file.relative), IMPORT_LIMITS.evidence));
  const answers =
    inputsFile === undefined
      ? undefined
      : parseAnswers(script, await readFileLimited(inputsFile, MAX_ANSWERS_BYTES), inputsFile);
  return { folder, evidence, answers };
}

const quote = (v: string): string => JSON.stringify(v);

function problemLine(p: RehearsalProblem): string {
  return `${p.kind === 'missing' ? 'MISSING' : 'PROBLEM'}  ${p.where}: ${p.message}`;
}

/** The pre-check as text: every step's inputs, evidence and checks, then what stops the rehearsal. */
export function formatRehearsalReport(report: RehearsalReport): string {
  const lines: string[] = [];
  if (report.problems.length > 0) {
    lines.push('The evidence folder, the answers file or the script:');
    for (const p of report.problems) lines.push(`  ${problemLine(p)}`);
    lines.push('');
  }
  for (const step of report.steps) {
    lines.push(`step ${step.id}  ${step.title}`);
    if (step.inputs.length === 0 && step.evidence.length === 0) lines.push('  (nothing typed or imported)');
    for (const i of step.inputs) {
      if (i.value === undefined) continue;
      const from = i.from === 'expect' ? " (not in the answers file: the script's expected value)" : '';
      lines.push(`  input ${i.id} = ${quote(i.value)}${from}`);
    }
    for (const e of step.evidence) {
      if (e.file) lines.push(`  evidence ${e.spec.id} (${e.spec.kind}): ${e.file.path}, ${e.size ?? 0} bytes`);
      else if (!e.spec.required) lines.push(`  evidence ${e.spec.id} (${e.spec.kind}): not given (optional)`);
    }
    for (const c of step.checks) {
      lines.push(`  ${c.ok ? 'PASS' : 'FAIL'}  ${c.id}: expected ${c.expected}; observed ${c.observed}`);
      if (!c.ok) {
        const refs = c.references.map((r) => `; the expected value is ${r.path} (line ${r.line})`).join('');
        lines.push(`        at ${c.path} (line ${c.line})${refs}`);
      }
    }
    for (const p of step.problems) if (p.kind !== 'failed') lines.push(`  ${problemLine(p)}`);
  }
  const missing = report.allProblems.filter((p) => p.kind === 'missing').length;
  const other = report.allProblems.filter((p) => p.kind === 'invalid').length;
  lines.push(
    '',
    `Pre-check: ${report.checkCount} checks, ${report.failedCount} failed; ${missing} missing; ${other} other problem${other === 1 ? '' : 's'}.`,
  );
  return `${lines.join('\n')}\n`;
}

/**
 * Refuse an occupied `--out` before the evidence is read and the ceremony played, so the preparer
 * learns it at once; `exportFiles` checks again, all or nothing, when the files are written.
 */
async function refuseExisting(dir: string, names: readonly string[]): Promise<void> {
  for (const name of names) {
    const path = resolve(dir, name);
    const exists = await access(path).then(
      () => true,
      () => false,
    );
    if (exists)
      throw new KeywitnessError('ALREADY_EXISTS', 'refusing to overwrite an existing file; choose an empty folder', {
        where: path,
      });
  }
}

export const runRehearse: CliCommand = async (args, io: CliIo) => {
  const { values, positionals } = parseCommandArgs(args, REHEARSE_SPEC.options);
  const [scriptPath, ...extra] = positionals;
  if (scriptPath === undefined || extra.length > 0 || values.evidence === undefined)
    throw new UsageError(`usage: ${REHEARSE_USAGE}`);
  const scriptBytes = await readKind(scriptPath, 'script', DEFAULT_MAX_SCRIPT_BYTES);
  const script = parseScript(scriptBytes);
  const participants = rehearsalParticipants(script);
  const coordinatorName = rehearsalCoordinatorName(script);
  const names = [REHEARSAL_BUNDLE, ...participants.map((p) => receiptFileName(p.name))];
  const out = values.out === undefined ? undefined : resolve(values.out);
  if (out) await refuseExisting(out, names);

  const files = await readRehearsalFiles(script, values.evidence, values.inputs, out);
  installCryptoEngine();
  const report = await checkRehearsal({ script, scriptBytes, ...files, checker: checkEvidence });
  io.stdout(
    `Rehearsal of ${script.id}: ${script.steps.length} steps, evidence from ${values.evidence}, ` +
      `${values.inputs === undefined ? 'no answers file' : `inputs from ${values.inputs}`}.\n` +
      'Every check as the coordinator will run it, before anything is signed:\n\n',
  );
  io.stdout(formatRehearsalReport(report));
  if (!report.ok) {
    for (const p of report.allProblems) io.stderr(`keywitness rehearse: ${p.code}: ${p.where}: ${p.message}\n`);
    io.stdout('Nothing was signed or written.\n');
    return 2;
  }

  io.stdout(
    `\nPlaying the ceremony: ${coordinatorName} (coordinator) and ${participants.length} simulated participant${participants.length === 1 ? '' : 's'} (each role's minimum, more where a quorum needs them): ${participants.map((p) => p.name).join(', ') || 'none'}\n`,
  );
  const result = await simulateCeremony({
    script,
    scriptBytes,
    coordinatorName,
    participants,
    steps: report.plan,
    mode: 'rehearsal',
    checker: checkEvidence,
    onStep: (id) => io.stdout(`  step ${id} complete\n`),
  });
  const bundleBytes = encodeBundle(result.bundle);
  const receipts = result.devices.map((d) => ({
    name: receiptFileName(d.name),
    bytes: encodeReceipt(d.session.receipt()),
  }));
  if (!out) {
    // The same audit as `keywitness audit`, on the very bytes a file would hold.
    io.stdout('\nNo --out: nothing was written. The audit of the rehearsal bundle and receipts, in memory:\n\n');
    const audit = await auditSession(
      decodeBundle(bundleBytes),
      receipts.map((r) => decodeReceipt(r.bytes)),
      { checker: checkEvidence },
    );
    io.stdout(formatAuditReport(audit, { bundleSha256: sha256(bundleBytes) }));
    return audit.findings.length === 0 ? 0 : 1;
  }
  // All or nothing, as `demo` writes: refused before a byte is written when any of the files
  // exists, and a failure part-way (a full disk) removes what was written.
  const written = await exportFiles(out, [{ name: REHEARSAL_BUNDLE, bytes: bundleBytes }, ...receipts], {
    createFolder: 'parents',
  });
  io.stdout('\n');
  for (const w of written) io.stdout(`wrote ${w.path} (${w.size} bytes, SHA-256 ${w.sha256Hex})\n`);
  const [bundlePath = '', ...receiptPaths] = written.map((w) => w.path);
  const auditArgs = [bundlePath, ...receiptPaths.flatMap((p) => ['--receipt', p])];
  io.stdout(`\nkeywitness audit ${auditArgs.map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(' ')}\n\n`);
  return runAudit(auditArgs, io);
};

/**
 * `keywitness verify FILE… [--issuer FILE]… [--at TIME] [--json]`: every signature the evidence
 * carries, each with what signed it (README, "keywitness verify"). Exit 0 only when every signature
 * verifies, 1 when any fails or cannot be checked here, 2 when an input cannot be read.
 */
import { isKeywitnessError } from '../core/errors.js';
import { MAX_EVIDENCE_BYTES } from '../core/evidence/der.js';
import {
  readTrustMaterial,
  verifyEvidenceSignatures,
  type EvidenceVerification,
  type SignatureCheck,
  type ValidityWindow,
} from '../core/evidence/verify-signatures.js';
import { installCryptoEngine } from '../node/crypto-engine.js';
import { UsageError, parseCommandArgs } from './args.js';
import type { CliCommand } from './io.js';
import { readFileLimited } from './read.js';

export const VERIFY_USAGE = 'keywitness verify FILE... [--issuer FILE]... [--at TIME] [--json]';

/** One file's result in `--json` output. */
export type VerifyEntry =
  | ({ readonly file: string; readonly ok: true } & EvidenceVerification)
  | { readonly file: string; readonly ok: false; readonly error: { readonly code: string; readonly message: string } };

const AT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?Z)?$/;

function parseAt(text: string | undefined): Date {
  if (text === undefined) return new Date();
  const date = new Date(text);
  if (!AT.test(text) || Number.isNaN(date.getTime()))
    throw new UsageError(`--at "${text}" is not a UTC time such as 2026-10-30 or 2026-10-30T12:00:00Z`);
  return date;
}

async function verifyFile(file: string, trust: ReturnType<typeof readTrustMaterial>, at: Date): Promise<VerifyEntry> {
  try {
    const bytes = await readFileLimited(file, MAX_EVIDENCE_BYTES);
    return { file, ok: true, ...(await verifyEvidenceSignatures(bytes, file, trust, { at })) };
  } catch (e) {
    if (isKeywitnessError(e)) return { file, ok: false, error: { code: e.code, message: e.message } };
    throw e;
  }
}

function windowText(w: ValidityWindow): string {
  const from = w.from?.toISOString() ?? 'any time';
  const until = w.until?.toISOString() ?? 'no end';
  return `window ${from} to ${until} (${w.current ? 'current' : 'NOT current'})`;
}

function checkLines(c: SignatureCheck): string[] {
  const lines = [`  ${c.status.toUpperCase()}: ${c.object}`, `    signed by: ${c.signer}`, `    ${c.detail}`];
  if (c.window) lines.push(`    ${windowText(c.window)}`);
  for (const n of c.notes) lines.push(`    note: ${n}`);
  for (const l of c.lints ?? []) lines.push(`    lint ${l.severity} ${l.code}: ${l.message}`);
  if (c.where) lines.push(`    at: ${c.where}`);
  return lines;
}

function text(entry: VerifyEntry): string {
  if (!entry.ok) return `${entry.file}: ERROR ${entry.error.code}: ${entry.error.message}\n`;
  const notes = (entry.notes ?? []).map((n) => `  note: ${n}`);
  return `${[`${entry.file}: ${entry.kinds.join(', ')}`, ...notes, ...entry.checks.flatMap(checkLines)].join('\n')}\n`;
}

function toJson(entry: VerifyEntry): unknown {
  if (!entry.ok) return entry;
  return {
    ...entry,
    ...(entry.attestations
      ? {
          attestations: entry.attestations.map(({ key, ...a }) => ({
            ...a,
            key: {
              algorithm: key.algorithm,
              size: key.size ?? null,
              curve: key.curve ?? null,
              spkiSha256: key.spkiSha256.hex,
            },
          })),
        }
      : {}),
    checks: entry.checks.map((c) => ({
      ...c,
      window: c.window
        ? {
            from: c.window.from?.toISOString() ?? null,
            until: c.window.until?.toISOString() ?? null,
            current: c.window.current,
          }
        : null,
    })),
  };
}

/** The `verify` command. */
export const runVerify: CliCommand = async (args, io) => {
  const { values, positionals } = parseCommandArgs(args, {
    issuer: { type: 'string', multiple: true },
    at: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (positionals.length === 0) throw new UsageError(`no file given; usage: ${VERIFY_USAGE}`);
  const at = parseAt(values.at);
  const issuerFiles = [];
  for (const path of values.issuer ?? [])
    issuerFiles.push({ bytes: await readFileLimited(path, MAX_EVIDENCE_BYTES), where: path });
  const trust = readTrustMaterial(issuerFiles);
  installCryptoEngine();
  const entries: VerifyEntry[] = [];
  for (const file of positionals) entries.push(await verifyFile(file, trust, at));
  const checks = entries.flatMap((e) => (e.ok ? e.checks : []));
  const count = (s: SignatureCheck['status']): number => checks.filter((c) => c.status === s).length;
  const summary = { valid: count('valid'), invalid: count('invalid'), unsupported: count('unsupported') };
  if (values.json) {
    io.stdout(
      `${JSON.stringify({ format: 'keywitness-verify/1', at: at.toISOString(), files: entries.map(toJson), summary }, null, 2)}\n`,
    );
  } else {
    for (const entry of entries) (entry.ok ? io.stdout : io.stderr)(text(entry));
    io.stdout(
      `${checks.length} signature${checks.length === 1 ? '' : 's'}: ${summary.valid} valid, ${summary.invalid} invalid, ${summary.unsupported} unsupported (at ${at.toISOString()})\n`,
    );
  }
  if (entries.some((e) => !e.ok)) return 2;
  return checks.length > 0 && summary.valid === checks.length ? 0 : 1;
};

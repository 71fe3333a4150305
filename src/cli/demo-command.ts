/**
 * `keywitness demo [--scenario NAME] --out DIR`: plays a complete rehearsal of the sample script
 * with a simulated coordinator and participants, then writes DIR/session.keywitness.json and one
 * DIR/<participant>.receipt.json each, then audits what it wrote. Nothing is written unless the
 * whole ceremony completed, and existing files are never overwritten. The scenario
 * `dropped-objection` plays a dishonest coordinator; its audit must report it.
 */
import { resolve } from 'node:path';
import { checkEvidence } from '../core/evidence/checks.js';
import { parseScript } from '../core/script/parse.js';
import { DEFAULT_MAX_SCRIPT_BYTES } from '../core/script/source-text.js';
import { encodeBundle, encodeReceipt, receiptFileName } from '../core/session/files.js';
import { simulateCeremony } from '../core/session/simulate.js';
import { installCryptoEngine } from '../node/crypto-engine.js';
import { exportFiles, readInputFile } from '../node/files.js';
import { UsageError, parseCommandArgs } from './args.js';
import { runAudit } from './audit-command.js';
import { DEMO_PARTICIPANTS, DEMO_SCENARIOS, DEMO_SCRIPT, loadDemoSteps, type DemoScenario } from './demo-plan.js';
import type { CliCommand } from './io.js';

export const DEMO_USAGE = `keywitness demo [--scenario ${DEMO_SCENARIOS.join('|')}] --out DIR`;

function parseScenario(value: string | undefined): DemoScenario {
  if (value === undefined) return 'objection';
  const known = DEMO_SCENARIOS.find((s) => s === value);
  if (!known) throw new UsageError(`unknown scenario "${value}": choose ${DEMO_SCENARIOS.join(', ')}`);
  return known;
}

export const runDemo: CliCommand = async (args, io) => {
  const { values, positionals } = parseCommandArgs(args, { out: { type: 'string' }, scenario: { type: 'string' } });
  if (!values.out || positionals.length > 0) throw new UsageError(`usage: ${DEMO_USAGE}`);
  const scenario = parseScenario(values.scenario);
  const dir = resolve(values.out);
  installCryptoEngine();
  const scriptBytes = await readInputFile(DEMO_SCRIPT, DEFAULT_MAX_SCRIPT_BYTES);
  const script = parseScript(scriptBytes);
  io.stdout(
    `Rehearsal of ${script.id}: ${script.steps.length} steps, ${DEMO_PARTICIPANTS.length} participants, scenario ${scenario}\n`,
  );
  const story: Partial<Record<DemoScenario, string>> = {
    'dropped-objection':
      'The coordinator is dishonest here: it leaves one objection out of the record. The audit must say so.',
    retry:
      'A witness objects at the token initialisation; the room decides to repeat the step, which is redone and passes.',
    suspend:
      'The session is suspended after the public key export, every device restarts from its journal the next day, and the coordinator resumes.',
    abort: 'The ceremony is aborted at the key generation and closed as aborted; the audit says ABORTED.',
    'late-join':
      "A third witness arrives after the start and joins at step 1.2; before the key generation a custodian's laptop is replaced by a new one. The room acknowledges each change.",
  };
  if (story[scenario]) io.stdout(`${story[scenario]}\n`);
  const result = await simulateCeremony({
    script,
    scriptBytes,
    coordinatorName: 'Ada Lovelace',
    participants: DEMO_PARTICIPANTS,
    steps: await loadDemoSteps(script, scenario),
    checker: checkEvidence,
    onStep: (id) => io.stdout(`  step ${id} complete\n`),
  });
  for (const r of result.refusals) io.stdout(`  ${r.name}'s device refused to sign (${r.at}): ${r.reason}\n`);
  const files = [
    { name: 'session.keywitness.json', bytes: encodeBundle(result.bundle) },
    ...result.devices.map((d) => ({ name: receiptFileName(d.name), bytes: encodeReceipt(d.session.receipt()) })),
    // A replaced device's receipt too: what it signed before it was replaced is part of the record.
    ...result.retired.map((d) => ({
      name: receiptFileName(`${d.name} replaced device`),
      bytes: encodeReceipt(d.session.receipt()),
    })),
  ];
  // All or nothing: refused before a byte is written when any of the files exists, and a failure
  // part-way (a full disk) removes what was written.
  const written = await exportFiles(dir, files, { createFolder: 'parents' });
  for (const w of written) io.stdout(`wrote ${w.path} (${w.size} bytes, SHA-256 ${w.sha256Hex})\n`);
  const [bundlePath = '', ...receiptPaths] = written.map((w) => w.path);
  // Finish as an auditor would: verify the files as written, from their bytes alone.
  const auditArgs = [bundlePath, ...receiptPaths.flatMap((p) => ['--receipt', p])];
  io.stdout(`\nkeywitness audit ${auditArgs.map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(' ')}\n\n`);
  return runAudit(auditArgs, io);
};

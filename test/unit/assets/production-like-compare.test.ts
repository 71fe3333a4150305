/**
 * A production-like second run of the root-CA sample, compared with its rehearsal (#15).
 *
 * Session A is the rehearsal `keywitness demo` plays: the sample script on its committed SoftHSM2
 * evidence. Session B is what a production run looks like to the comparison: the same script on
 * a fresh token whose key is made during the test by the sample's own make-evidence.sh, played by
 * other simulated participants. The sample's expectations pin no key-dependent value (no
 * fingerprint, serial, key identifier or archive digest; the fingerprint typed at 4.2 has a
 * pattern, not a value), so B passes every check with a key A never saw, and the comparison must
 * be clean apart from what every new key changes, each listed as an expected difference
 * (`keywitness compare` exits 0 on the two bundle files, 1 when something unexpected differs). Then
 * three production runs that went otherwise: a key on another curve, a session that stopped
 * before its last steps, and a step that needed an exception; each is reported as such.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCompare } from '../../../src/cli/compare-command.js';
import { DEMO_EVIDENCE_DIR, DEMO_INPUTS, DEMO_SCRIPT } from '../../../src/cli/demo-plan.js';
import { readRehearsalFiles } from '../../../src/cli/rehearse-command.js';
import { auditBundle, type AuditReport } from '../../../src/core/audit/audit.js';
import { compareSessions, type Comparison, type StepDifferences } from '../../../src/core/audit/compare.js';
import { checkEvidence } from '../../../src/core/evidence/checks.js';
import { decodeMessage } from '../../../src/core/protocol/message.js';
import { parseScript } from '../../../src/core/script/parse.js';
import type { Script } from '../../../src/core/script/types.js';
import { encodeBundle, type Bundle } from '../../../src/core/session/files.js';
import {
  checkRehearsal,
  rehearsalCoordinatorName,
  rehearsalParticipants,
  rehearsalSteps,
} from '../../../src/core/session/rehearsal-check.js';
import { simulateCeremony, type SimulatedStep, type SimulationResult } from '../../../src/core/session/simulate.js';
import { installCryptoEngine } from '../../../src/node/crypto-engine.js';
import { missingTool } from '../../support/tools.js';

const haveTools = ['softhsm2-util', 'pkcs11-tool', 'openssl'].every(
  (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0,
);
const MAKE_EVIDENCE = join(DEMO_EVIDENCE_DIR, 'make-evidence.sh');

let script: Script;
let scriptBytes: Uint8Array;
const work: string[] = [];

/** Run the sample's make-evidence.sh (optionally edited) into a fresh folder. */
function freshEvidence(edit: (sh: string) => string = (sh) => sh): string {
  const dir = mkdtempSync(join(tmpdir(), 'kw-production-like-'));
  work.push(dir);
  const sh = join(dir, 'make-evidence.sh');
  writeFileSync(sh, edit(readFileSync(MAKE_EVIDENCE, 'utf8')));
  const out = join(dir, 'evidence');
  const r = spawnSync('bash', [sh, out], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`make-evidence.sh failed (${r.status}): ${r.stderr}${r.stdout}`);
  return out;
}

/** The plan a rehearsal of `dir` plays, and the checks it ran before anything was signed. */
async function planFrom(dir: string, inputs: string) {
  const files = await readRehearsalFiles(script, dir, inputs);
  const report = await checkRehearsal({ script, scriptBytes, ...files, checker: checkEvidence });
  return { report, steps: rehearsalSteps(script, files.folder, files.evidence, files.answers) };
}

async function play(steps: Record<string, SimulatedStep>): Promise<SimulationResult> {
  return simulateCeremony({
    script,
    scriptBytes,
    coordinatorName: rehearsalCoordinatorName(script),
    participants: rehearsalParticipants(script),
    steps,
    mode: 'rehearsal',
    checker: checkEvidence,
  });
}

const audit = (bundle: Bundle, result?: SimulationResult) =>
  auditBundle(bundle, result?.receipts ?? [], { checker: checkEvidence });
const at = (c: Comparison, step: string | undefined): StepDifferences => c.steps.find((s) => s.step === step)!;
const unexpectedLines = (c: Comparison) =>
  c.steps.flatMap((s) => s.unexpected.map((u) => `${s.step ?? 'session'}: ${u}`));

/** `keywitness compare A B` on the two sessions written as bundle files: its exit code and output. */
async function compareFiles(a: Bundle, b: Bundle): Promise<{ code: number; out: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'kw-production-like-compare-'));
  work.push(dir);
  const [pa, pb] = [join(dir, 'rehearsal.keywitness.json'), join(dir, 'production.keywitness.json')];
  writeFileSync(pa, encodeBundle(a));
  writeFileSync(pb, encodeBundle(b));
  let out = '';
  const code = await runCompare([pa, pb], {
    stdout: (t) => void (out += t),
    stderr: () => undefined,
    stdoutBytes: () => undefined,
  });
  return { code, out };
}

let rehearsalBundle: Bundle;
let rehearsal: AuditReport;
let fresh: {
  dir: string;
  result: SimulationResult;
  report: AuditReport;
  precheck: Awaited<ReturnType<typeof planFrom>>['report'];
};

describe.skipIf(missingTool(haveTools, 'softhsm2, opensc and openssl'))(
  'a production-like run compared with its rehearsal',
  () => {
    beforeAll(async () => {
      installCryptoEngine();
      scriptBytes = new Uint8Array(readFileSync(DEMO_SCRIPT));
      script = parseScript(scriptBytes);
      const demo = await planFrom(DEMO_EVIDENCE_DIR, DEMO_INPUTS);
      rehearsalBundle = (await play(demo.steps)).bundle;
      rehearsal = await audit(rehearsalBundle);
      const dir = freshEvidence();
      const planned = await planFrom(dir, join(dir, 'inputs.yaml'));
      const result = await play(planned.steps);
      fresh = { dir, result, report: await audit(result.bundle, result), precheck: planned.report };
    }, 240_000);
    afterAll(() => {
      for (const dir of work) rmSync(dir, { recursive: true, force: true });
    });

    it('the fresh key passes every check of the script, and it is not the rehearsal key', () => {
      expect(fresh.precheck.allProblems).toEqual([]);
      expect(fresh.precheck.failedCount).toBe(0);
      expect(fresh.precheck.checkCount).toBeGreaterThan(20);
      expect(fresh.report.findings).toEqual([]);
      expect(rehearsal.findings).toEqual([]);
      const key = (dir: string) => readFileSync(join(dir, '3.3/root_pub.pem'), 'utf8');
      expect(key(fresh.dir)).not.toBe(key(DEMO_EVIDENCE_DIR));
    });

    it('compares clean, listing what a new key and a new session must change', async () => {
      const c = await compareSessions(rehearsal, fresh.report);
      expect(unexpectedLines(c)).toEqual([]);
      expect(c.unexpected).toBe(0);
      const cli = await compareFiles(rehearsalBundle, fresh.result.bundle);
      expect(cli.code).toBe(0);
      expect(cli.out).toMatch(/^Nothing unexpected differs between A/);
      expect(at(c, undefined).expected).toContain(
        'session id, coordinator key, participants\u2019 keys and all times differ',
      );
      expect(at(c, '4.2').expected.join('\n')).toMatch(
        /^input fingerprint: ([0-9A-F]{2}:){31}[0-9A-F]{2} in A, ([0-9A-F]{2}:){31}[0-9A-F]{2} in B$/,
      );
      for (const id of ['keygen', 'root_pub', 'root', 'backup_archive', 'backup_check']) {
        const step = script.steps.find((s) => s.evidence.some((e) => e.id === id))!;
        expect(at(c, step.id).expected, id).toContain(`evidence ${id}: other bytes (SHA-256 differs)`);
      }
      const root = at(c, '4.1').expected.join('\n');
      for (const field of ['serial', 'notBefore', 'spkiSha256'])
        expect(root).toMatch(new RegExp(`evidence root \\S*${field}`));
      // What may differ between two honest runs, and nothing else: keys, serials, digests, times,
      // sizes, the typed fingerprint, the session.
      const allowed = new RegExp(
        [
          '^session id, coordinator key',
          '^input fingerprint: ',
          '^evidence \\S+: other bytes',
          '^evidence \\S+ \\S*(fileSha256|sha256|sha1|spkiSha256|serial|serialBits|notBefore|notAfter|subjectKeyIdentifier|authorityKeyIdentifier|keyId|keyTag|digest|record|id|size|selfSignature|signature|facts|text)\\b',
          '^evidence \\S+ objects\\[\\d+\\]\\.attributes\\.(slot|description|serial_number|EC_POINT):',
        ].join('|'),
      );
      const surprising = c.steps.flatMap((s) => s.expected).filter((line) => !allowed.test(line));
      expect(surprising).toEqual([]);
    });

    it('a key on another curve: the failed checks, the exceptions they needed and the changed key facts', async () => {
      const dir = freshEvidence((sh) => sh.replaceAll('EC:secp384r1', 'EC:prime256v1'));
      const planned = await planFrom(dir, join(dir, 'inputs.yaml'));
      expect(planned.report.failedCount).toBeGreaterThan(0);
      const result = await play(planned.steps);
      const c = await compareSessions(rehearsal, await audit(result.bundle, result));
      expect(c.unexpected).toBeGreaterThan(0);
      expect((await compareFiles(rehearsalBundle, result.bundle)).code).toBe(1);
      expect(at(c, '3.2').unexpected).toContain('check keygen.curve: passed in A, FAILED in B');
      expect(at(c, '3.3').unexpected).toContain('check root_pub.key.curve: passed in A, FAILED in B');
      expect(at(c, '4.1').unexpected).toContain('check root.key.curve: passed in A, FAILED in B');
      for (const step of ['3.2', '3.3', '4.1'])
        expect(at(c, step).unexpected, step).toContain('exceptions: 0 in A, 1 in B');
      expect(at(c, '3.3').unexpected.join('\n')).toMatch(/evidence root_pub \S*curve: "P-384" in A, "P-256" in B/);
      // Steps the curve does not touch stay clean.
      for (const step of ['2.2', '3.1', '4.2', '6.2']) expect(at(c, step).unexpected, step).toEqual([]);
    });

    it('a session that stopped before its last two steps: those steps and the session are reported', async () => {
      const cut = fresh.result.bundle.transcript.findIndex((wire) => {
        const m = decodeMessage(wire);
        return m.t === 'statement' && m.envelope.body.step === '6.1';
      });
      expect(cut).toBeGreaterThan(0);
      const stopped = { ...fresh.result.bundle, transcript: fresh.result.bundle.transcript.slice(0, cut) };
      const report = await audit(stopped);
      expect(report.findings.map((f) => f.code)).toContain('CLOSE_MISSING');
      const c = await compareSessions(rehearsal, report);
      expect(at(c, undefined).unexpected).toContain(`session B has ${report.findings.length} audit finding(s)`);
      for (const step of ['6.1', '6.2']) expect(at(c, step).unexpected).toEqual(['the step has a statement in A only']);
      expect(at(c, '5.3').unexpected).toEqual([]);
    });

    it('an exception the rehearsal did not need is reported at its step, and only there', async () => {
      const planned = await planFrom(fresh.dir, join(fresh.dir, 'inputs.yaml'));
      const objector = rehearsalParticipants(script).find((p) => p.role === 'custodian')!;
      const steps = {
        ...planned.steps,
        '5.2': {
          ...planned.steps['5.2'],
          objection: {
            by: objector.name,
            reason: 'The restore listing was scrolled past before I could read it.',
            resolution: 'The listing was shown again in view of all; it matches the imported file.',
          },
        },
      };
      const result = await play(steps);
      const c = await compareSessions(rehearsal, await audit(result.bundle, result));
      expect(unexpectedLines(c)).toEqual(['5.2: exceptions: 0 in A, 1 in B']);
    });
  },
);

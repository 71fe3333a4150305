/**
 * `keywitness rehearse` through the CLI entry point: each sample ceremony rehearsed from its
 * evidence folder audits clean; a changed expectation, missing or doubled evidence, bad answers
 * and an occupied `--out` each exit 2 with a message naming the path, and nothing is written.
 */
import { cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_EVIDENCE_DIR, DEMO_SCRIPT, EVIDENCE_FILES } from '../../../src/cli/demo-plan.js';
import { listEvidenceFolder } from '../../../src/cli/rehearse-command.js';
import { parseScript } from '../../../src/core/script/parse.js';
import { planEvidenceFolder, rehearsalParticipants } from '../../../src/core/session/rehearsal-check.js';
import { utf8 } from '../../../src/core/util/bytes.js';
import { CEREMONIES_DIR, SAMPLES } from '../assets/sample-ceremonies.js';
import { runCli } from '../../support/cli.js';

const run = runCli;

const exists = (path: string): Promise<boolean> =>
  readdir(path).then(
    () => true,
    () => false,
  );

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'kw-rehearse-'));
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

let counter = 0;
const fresh = async (): Promise<string> => {
  const dir = join(tmp, `case-${++counter}`);
  await mkdir(dir);
  return dir;
};

/** A copy of the root-CA sample's folder, script and answers file, to change. */
async function rootCopy(): Promise<{ dir: string; script: string; evidence: string; inputs: string }> {
  const dir = await fresh();
  const evidence = join(dir, 'evidence');
  await cp(DEMO_EVIDENCE_DIR, evidence, { recursive: true });
  const script = join(dir, 'root-ca-rehearsal.yaml');
  await cp(DEMO_SCRIPT, script);
  return { dir, script, evidence, inputs: join(evidence, 'inputs.yaml') };
}

/** 1-based line of the first line containing `text`. */
function lineOf(text: string, needle: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`no line with ${needle}`);
  return i + 1;
}

describe('rehearsing the sample ceremonies from their evidence folders', () => {
  it.each(SAMPLES.filter((s) => s.ownEvidence))(
    '$script: pre-check passes, the bundle and every receipt are written and audit clean',
    async (s) => {
      const out = join(await fresh(), 'out');
      const folder = join(CEREMONIES_DIR, s.evidenceDir);
      const script = join(CEREMONIES_DIR, s.script);
      const args = ['rehearse', script, '--evidence', folder, '--out', out];
      if (s.answers) args.push('--inputs', join(folder, s.answers));
      const r = await run(...args);
      expect(r.err).toBe('');
      expect(r.code, r.out).toBe(0);
      expect(r.out).toMatch(/Pre-check: \d+ checks, 0 failed; 0 missing; 0 other problems\./);
      expect(r.out).not.toMatch(/^\s+FAIL/m);
      expect(r.out).toContain('Consistent: 0 findings.');
      const people = rehearsalParticipants(parseScript(new Uint8Array(await readFile(script))));
      expect((await readdir(out)).sort()).toEqual(
        ['rehearsal.keywitness.json', ...people.map((p) => `${p.name.replace(' ', '-')}.receipt.json`)].sort(),
      );
    },
  );

  it('without --out it plays and audits in memory and writes nothing', async () => {
    const { dir, script, evidence, inputs } = await rootCopy();
    const before = (await readdir(dir, { recursive: true })).sort();
    const r = await run('rehearse', script, '--evidence', evidence, '--inputs', inputs);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('No --out: nothing was written.');
    expect(r.out).toContain('Consistent: 0 findings.');
    expect((await readdir(dir, { recursive: true })).sort()).toEqual(before);
  });

  it('an --out folder inside the evidence folder is not taken for a step, on this run or the next', async () => {
    const { script, evidence, inputs } = await rootCopy();
    const out = join(evidence, 'out');
    expect((await run('rehearse', script, '--evidence', evidence, '--inputs', inputs, '--out', out)).code).toBe(0);
    const again = await run('rehearse', script, '--evidence', evidence, '--inputs', inputs, '--out', out);
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/^keywitness rehearse: ALREADY_EXISTS: /);
    const other = await run('rehearse', script, '--evidence', evidence, '--inputs', inputs);
    expect(other.err).toContain(`${evidence}/out/: the script has no step "out"`);
  });

  it('a script made from scratch: the minimal sample from a folder with one file', async () => {
    const dir = await fresh();
    await mkdir(join(dir, 'evidence', '2'), { recursive: true });
    await cp(join(DEMO_EVIDENCE_DIR, EVIDENCE_FILES.token_init!), join(dir, 'evidence', '2', 'slots.txt'));
    const r = await run(
      'rehearse',
      join(CEREMONIES_DIR, 'minimal.yaml'),
      '--evidence',
      join(dir, 'evidence'),
      '--out',
      join(dir, 'out'),
    );
    expect(r.code, r.out + r.err).toBe(0);
    expect((await readdir(join(dir, 'out'))).sort()).toEqual(['rehearsal.keywitness.json', 'witness-1.receipt.json']);
  });

  it('an answers file in JSON works as well as YAML', async () => {
    const { dir, script, evidence, inputs } = await rootCopy();
    const fingerprint = /fingerprint: "([^"]+)"/.exec(await readFile(inputs, 'utf8'))![1]!;
    const json = join(dir, 'answers.json');
    await writeFile(json, JSON.stringify({ '4.2': { fingerprint }, '1.2': { bag: 'TEB-2026-00141' } }));
    const r = await run('rehearse', script, '--evidence', evidence, '--inputs', json);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain(`input fingerprint = "${fingerprint}"\n`);
    expect(r.out).toContain('input bag = "TEB-2026-00141"\n');
    expect(r.out).toContain('input bag = "TEB-2026-00142" (not in the answers file: the script\'s expected value)');
  });
});

describe('core: the folder plan and the participants', () => {
  it("the demo's evidence table is what the folder layout gives", async () => {
    const script = parseScript(new Uint8Array(await readFile(DEMO_SCRIPT)));
    const plan = planEvidenceFolder(script, await listEvidenceFolder(DEMO_EVIDENCE_DIR));
    expect(plan.problems).toEqual([]);
    expect(Object.fromEntries([...plan.files].map(([id, f]) => [id, f.relative]))).toEqual(EVIDENCE_FILES);
  });

  it("each role's minimum, more where a step's quorum needs them, named after the role", async () => {
    const root = parseScript(new Uint8Array(await readFile(DEMO_SCRIPT)));
    expect(rehearsalParticipants(root).map((p) => `${p.name}/${p.role}`)).toEqual([
      'witness 1/witness',
      'witness 2/witness',
      'custodian 1/custodian',
      'custodian 2/custodian',
      'custodian 3/custodian',
    ]);
    const quorum = parseScript(
      utf8(`format: keywitness-script/1
id: quorum
title: A quorum above the minimums
roles:
  - { id: admin, title: Admin, coordinator: true }
  - { id: witness, title: Witness, min: 1, max: 2 }
  - { id: observer, title: Observer, min: 0 }
steps:
  - { id: "1", title: One, acks: { roles: [witness, observer], min: 4 } }
`),
    );
    expect(rehearsalParticipants(quorum).map((p) => p.name)).toEqual([
      'witness 1',
      'witness 2',
      'observer 1',
      'observer 2',
    ]);
  });

  it('nothing in the rehearsal can run a command', async () => {
    for (const file of ['src/cli/rehearse-command.ts', 'src/core/session/rehearsal-check.ts']) {
      const source = await readFile(new URL(`../../../${file}`, import.meta.url), 'utf8');
      expect(source, file).not.toMatch(/child_process/);
    }
  });
});

describe('a changed expectation', () => {
  it('reports the check with expected, observed and the YAML path and line; exits 2; writes nothing', async () => {
    const { dir, script, evidence, inputs } = await rootCopy();
    const text = (await readFile(script, 'utf8'))
      .replace('validity_days: 9131', 'validity_days: 9132')
      .replace('  token_label: KW-ROOT-2026', '  token_label: KW-ROOT-2027');
    await writeFile(script, text);
    const out = join(dir, 'out');
    const r = await run('rehearse', script, '--evidence', evidence, '--inputs', inputs, '--out', out);
    expect(r.code).toBe(2);
    const days = lineOf(text, 'validity_days: 9132');
    expect(r.out).toMatch(/FAIL {2}root\.validity_days: expected 9132 days; observed 9131 days/);
    expect(r.out).toContain(`at steps[9].evidence[0].expect.validity_days (line ${days})`);
    expect(r.err).toContain(
      `keywitness rehearse: EVIDENCE_INVALID: steps[9].evidence[0].expect.validity_days (line ${days}): root.validity_days: expected 9132 days; observed 9131 days`,
    );
    // A value from `expected`: both the expectation and the expected value's own line.
    const label = lineOf(text, 'label: $expected.token_label');
    const value = lineOf(text, 'token_label: KW-ROOT-2027');
    expect(r.err).toContain(
      `keywitness rehearse: EVIDENCE_INVALID: steps[4].evidence[0].expect.label (line ${label}): token_init.label: expected an object labelled "KW-ROOT-2027"; observed labels seen: "KW-ROOT-2026" (token); the expected value is expected.token_label (line ${value})`,
    );
    expect(r.err.trim().split('\n')).toHaveLength(2);
    expect(r.out).toMatch(
      /Pre-check: \d+ checks, 2 failed; 0 missing; 0 other problems\.\nNothing was signed or written\.\n$/,
    );
    expect(await exists(out)).toBe(false);
  });
});

interface Negative {
  readonly name: string;
  /** Change the copy; returns extra arguments (replacing `--inputs` when it returns some). */
  readonly change: (c: { dir: string; evidence: string; inputs: string }) => Promise<string[] | void>;
  /** What stderr must say, given the evidence folder, the answers file and the line of a text in the script. */
  readonly says: (c: { evidence: string; file: string; line: (needle: string) => number }) => string;
}

const answers = async (dir: string, text: string): Promise<string[]> => {
  const file = join(dir, 'answers.yaml');
  await writeFile(file, text);
  return ['--inputs', file];
};
const FP = '"19:BF:7E:63:CB:AE:0D:B9:5B:E9:45:B2:6A:05:A7:74:0D:F8:35:5E:69:8D:56:99:BC:82:0A:CD:94:58:64:6C"';

const NEGATIVES: readonly Negative[] = [
  {
    name: 'a missing evidence file',
    change: ({ evidence }) => rm(join(evidence, '3.2', 'keygen.txt')),
    says: ({ evidence }) =>
      `keywitness rehearse: NOT_FOUND: ${evidence}/3.2/keygen.*: no file for evidence "keygen" (hsm-output) of step 3.2`,
  },
  {
    name: 'two files for one evidence id',
    change: ({ evidence }) => cp(join(evidence, '4.1', 'root.pem'), join(evidence, '4.1', 'root.crt')),
    says: ({ evidence }) =>
      `keywitness rehearse: INPUT_INVALID: ${evidence}/4.1/root.crt, ${evidence}/4.1/root.pem: 2 files for evidence "root": keep exactly one root.<extension>`,
  },
  {
    name: 'a folder for a step the script does not have',
    change: async ({ evidence }) => {
      await mkdir(join(evidence, '9.9'));
      await writeFile(join(evidence, '9.9', 'extra.txt'), 'x');
    },
    says: ({ evidence }) => `keywitness rehearse: INPUT_INVALID: ${evidence}/9.9/: the script has no step "9.9"`,
  },
  {
    name: 'a file that is no evidence of its step',
    change: ({ evidence }) => writeFile(join(evidence, '2.2', 'notes.txt'), 'x'),
    says: ({ evidence }) =>
      `keywitness rehearse: INPUT_INVALID: ${evidence}/2.2/notes.txt: is no evidence of step 2.2: name it after one of its evidence ids (token_init.<extension>)`,
  },
  {
    name: "evidence in another step's folder",
    change: async ({ evidence }) => {
      await cp(join(evidence, '3.2', 'keygen.txt'), join(evidence, '3.1', 'keygen.txt'));
      await rm(join(evidence, '3.2', 'keygen.txt'));
    },
    says: ({ evidence }) =>
      `keywitness rehearse: INPUT_INVALID: ${evidence}/3.1/keygen.txt: evidence "keygen" belongs to step 3.2: move it to ${evidence}/3.2/`,
  },
  {
    name: 'evidence of the wrong kind',
    change: ({ evidence }) => writeFile(join(evidence, '4.1', 'root.pem'), 'this is not a certificate\n'),
    says: ({ line }) =>
      `keywitness rehearse: EVIDENCE_INVALID: steps[9].evidence[0].kind (line ${line('kind: certificate')}): root.parse: expected valid certificate evidence; observed`,
  },
  {
    name: 'an unknown step in the answers file',
    change: ({ dir }) => answers(dir, `"4.2": { fingerprint: ${FP} }\n"9.9": { bag: "TEB-2026-00999" }\n`),
    says: ({ file }) =>
      `keywitness rehearse: INPUT_INVALID: ${file} ["9.9"] (line 2): the script has no step "9.9" (steps with inputs: 1.2, 1.3, 2.1, 2.3, 4.2, 5.3, 6.1)`,
  },
  {
    name: 'an unknown input in the answers file',
    change: ({ dir }) => answers(dir, `"4.2":\n  fingerprint: ${FP}\n  colour: red\n`),
    says: ({ file }) =>
      `keywitness rehearse: INPUT_INVALID: ${file} ["4.2"].colour (line 3): step 4.2 has no input "colour" (its inputs: fingerprint)`,
  },
  {
    name: 'a missing required input',
    change: ({ dir }) => answers(dir, `"1.2": { bag: "TEB-2026-00141" }\n`),
    says: ({ line }) =>
      `keywitness rehearse: INPUT_INVALID: steps[10].inputs[0] (line ${line('{ id: fingerprint')}): input "fingerprint" (Root certificate SHA-256 fingerprint) of step 4.2 has no value and the script expects none`,
  },
  {
    name: 'no answers file where an input needs one',
    change: () => Promise.resolve([]),
    says: ({ line }) =>
      `keywitness rehearse: INPUT_INVALID: steps[10].inputs[0] (line ${line('{ id: fingerprint')}): input "fingerprint"`,
  },
  {
    name: 'a typed value that is not text',
    change: ({ dir }) => answers(dir, `{ "4.2": { "fingerprint": ${FP} }, "1.2": { "bag": 141 } }\n`),
    says: ({ file }) =>
      `keywitness rehearse: INPUT_INVALID: ${file} ["1.2"].bag (line 1): typed values are text: write "141" in quotes`,
  },
  {
    name: 'a step id that YAML reads as a number',
    change: ({ dir }) => answers(dir, `4.2: { fingerprint: ${FP} }\n`),
    says: ({ file }) =>
      `keywitness rehearse: INPUT_INVALID: ${file} (document) (line 1): step ids are text: write "4.2" in quotes`,
  },
  {
    name: 'an answers file that is not YAML or JSON',
    change: ({ dir }) => answers(dir, `"4.2": { fingerprint: ${FP}\n`),
    says: ({ file }) => `keywitness rehearse: INPUT_INVALID: ${file} (line 2): not YAML or JSON: `,
  },
  {
    name: 'an answers file with a duplicate key',
    change: ({ dir }) => answers(dir, `"4.2": { fingerprint: ${FP} }\n"4.2": { fingerprint: ${FP} }\n`),
    says: ({ file }) =>
      `keywitness rehearse: INPUT_INVALID: ${file} (line 2): not YAML or JSON: Map keys must be unique`,
  },
];

describe('what stops a rehearsal: exit 2, a message naming the path, nothing written', () => {
  it.each(NEGATIVES)('$name', async (c) => {
    const copy = await rootCopy();
    const extra = await c.change(copy);
    const out = join(copy.dir, 'out');
    const inputsArgs = extra ?? ['--inputs', copy.inputs];
    const r = await run('rehearse', copy.script, '--evidence', copy.evidence, ...inputsArgs, '--out', out);
    expect(r.code, r.out).toBe(2);
    const file = inputsArgs[1] ?? '';
    const text = await readFile(copy.script, 'utf8');
    expect(r.err).toContain(c.says({ evidence: copy.evidence, file, line: (needle) => lineOf(text, needle) }));
    expect(r.err).not.toMatch(/internal error|\n\s+at /);
    expect(await exists(out)).toBe(false);
  });

  it('a script that pins identities is refused: simulated devices cannot hold pinned keys', async () => {
    const dir = await fresh();
    const script = join(dir, 'pinned.yaml');
    const text = (await readFile(join(CEREMONIES_DIR, 'minimal.yaml'), 'utf8')).replace(
      'expected:',
      `participants:\n  - { name: Alice, role: witness, fingerprint: "${'ab'.repeat(32)}" }\nexpected:`,
    );
    await writeFile(script, text);
    await mkdir(join(dir, 'evidence', '2'), { recursive: true });
    await cp(join(DEMO_EVIDENCE_DIR, EVIDENCE_FILES.token_init!), join(dir, 'evidence', '2', 'slots.txt'));
    const r = await run('rehearse', script, '--evidence', join(dir, 'evidence'), '--out', join(dir, 'out'));
    expect(r.code).toBe(2);
    expect(r.err).toContain(
      `keywitness rehearse: INPUT_INVALID: participants (line ${lineOf(text, 'participants:')}): the script pins 1 identities (roles: witness)`,
    );
    expect(await exists(join(dir, 'out'))).toBe(false);
  });

  it('--out onto existing files refuses before anything is read or written', async () => {
    const { dir, script, evidence, inputs } = await rootCopy();
    const out = join(dir, 'out');
    await mkdir(out);
    await writeFile(join(out, 'custodian-2.receipt.json'), 'mine');
    const r = await run('rehearse', script, '--evidence', evidence, '--inputs', inputs, '--out', out);
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      `keywitness rehearse: ALREADY_EXISTS: ${join(out, 'custodian-2.receipt.json')}: refusing to overwrite an existing file; choose an empty folder\n`,
    );
    expect(await readdir(out)).toEqual(['custodian-2.receipt.json']);
    expect(await readFile(join(out, 'custodian-2.receipt.json'), 'utf8')).toBe('mine');
  });

  it.each([
    [
      ['rehearse'],
      /^keywitness rehearse: INPUT_INVALID: (arguments: )?usage: keywitness rehearse SCRIPT --evidence DIR/,
    ],
    [['rehearse', DEMO_SCRIPT], /usage: keywitness rehearse SCRIPT --evidence DIR/],
    [['rehearse', DEMO_SCRIPT, '--evidence', '/nonexistent/kw'], /NOT_FOUND: \/nonexistent\/kw: no such folder/],
    [
      ['rehearse', DEMO_SCRIPT, '--evidence', DEMO_EVIDENCE_DIR, '--inputs', '/nonexistent/a.yaml'],
      /(IO_FAILED|NOT_FOUND): \/nonexistent\/a\.yaml: no such file/,
    ],
    [
      ['rehearse', DEMO_SCRIPT, '--evidence', DEMO_EVIDENCE_DIR, '--bogus'],
      /INPUT_INVALID: (arguments: )?Unknown option '--bogus'/,
    ],
  ])('bad arguments: %j', async (args, says) => {
    const r = await run(...args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(says);
  });
});

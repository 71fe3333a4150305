/**
 * A small valid script whose line numbers the tests rely on (BASE[n - 1] is line n), and helpers
 * to derive broken variants from it by line number.
 */
import { KeywitnessError } from '../../../../src/core/errors.js';
import { utf8 } from '../../../../src/core/util/bytes.js';

const FINGERPRINT = `${'00:'.repeat(31)}FF`;

export const BASE: readonly string[] = [
  /*  1 */ 'format: keywitness-script/1',
  /*  2 */ 'id: test-script',
  /*  3 */ 'title: Test ceremony',
  /*  4 */ 'roles:',
  /*  5 */ '  - id: admin',
  /*  6 */ '    title: Administrator',
  /*  7 */ '    coordinator: true',
  /*  8 */ '  - id: witness',
  /*  9 */ '    title: Witness',
  /* 10 */ '    min: 2',
  /* 11 */ '  - id: custodian',
  /* 12 */ '    title: Custodian',
  /* 13 */ '    min: 1',
  /* 14 */ '    max: 3',
  /* 15 */ 'participants:',
  /* 16 */ '  - name: Alice',
  /* 17 */ '    role: witness',
  /* 18 */ `    fingerprint: "${FINGERPRINT}"`,
  /* 19 */ 'expected:',
  /* 20 */ '  bag: "TEB-1"',
  /* 21 */ '  subject: "CN=Test Root"',
  /* 22 */ 'steps:',
  /* 23 */ '  - id: s1',
  /* 24 */ '    title: Bag',
  /* 25 */ '    actor: admin',
  /* 26 */ '    instructions: Read it.',
  /* 27 */ '    inputs:',
  /* 28 */ '      - id: bag',
  /* 29 */ '        label: Bag number',
  /* 30 */ '        expect: $expected.bag',
  /* 31 */ '        pattern: "TEB-[0-9]+"',
  /* 32 */ '    acks:',
  /* 33 */ '      roles: [witness]',
  /* 34 */ '      min: 2',
  /* 35 */ '  - id: s2',
  /* 36 */ '    title: Keygen',
  /* 37 */ '    irreversible:',
  /* 38 */ '      confirm: root-key',
  /* 39 */ '    evidence:',
  /* 40 */ '      - id: keygen',
  /* 41 */ '        kind: hsm-output',
  /* 42 */ '        parser: pkcs11-tool',
  /* 43 */ '        expect:',
  /* 44 */ '          key_type: EC',
  /* 45 */ '          label: root-key',
  /* 46 */ '    acks:',
  /* 47 */ '      roles: [witness, custodian]',
  /* 48 */ '      min: 3',
  /* 49 */ '      recompute: true',
  /* 50 */ '      challenge: true',
  /* 51 */ '  - id: s3',
  /* 52 */ '    title: Certificate',
  /* 53 */ '    evidence:',
  /* 54 */ '      - id: root',
  /* 55 */ '        kind: certificate',
  /* 56 */ '        required: false',
  /* 57 */ '        expect:',
  /* 58 */ '          subject: $expected.subject',
  /* 59 */ '          spki_equals: keygen',
  /* 60 */ '          key_usage: [keyCertSign, cRLSign]',
  /* 61 */ '    acks:',
  /* 62 */ '      roles: [witness]',
  /* 63 */ '      min: 1',
];

/**
 * Replace lines by their number in `lines` (1-based): a string replaces the line (and may hold
 * several lines separated by \n), null deletes it. Numbers always refer to the input, so several
 * changes can be given at once without recounting.
 */
export function edit(lines: readonly string[], changes: Readonly<Record<number, string | null>>): string[] {
  for (const n of Object.keys(changes)) {
    if (Number(n) < 1 || Number(n) > lines.length) throw new Error(`no line ${n}`);
  }
  const out: string[] = [];
  lines.forEach((line, i) => {
    const change = changes[i + 1];
    if (change === undefined) out.push(line);
    else if (change !== null) out.push(...change.split('\n'));
  });
  return out;
}

/** Insert text after line `n` (0: at the top). */
export function insertAfter(lines: readonly string[], n: number, text: string): string[] {
  return [...lines.slice(0, n), ...text.split('\n'), ...lines.slice(n)];
}

/** The script file bytes for these lines. */
export function build(lines: readonly string[]): Uint8Array {
  return utf8(`${lines.join('\n')}\n`);
}

/** Run `f` and return the KeywitnessError it throws; any other outcome fails the test. */
export function catchError(f: () => unknown): KeywitnessError {
  try {
    f();
  } catch (e) {
    if (e instanceof KeywitnessError) return e;
    throw e;
  }
  throw new Error('expected a KeywitnessError, but nothing was thrown');
}

/**
 * Every semantic rule of the script format, each broken once: the error must be SCRIPT_INVALID
 * and name the exact YAML path and line, with a message that says what is wrong.
 */
import { describe, expect, it } from 'vitest';
import { parseScript } from '../../../../src/core/script/parse.js';
import { BASE, build, catchError, edit, insertAfter } from './fixture.js';

interface Case {
  readonly name: string;
  readonly lines: readonly string[];
  readonly where: string;
  readonly message: RegExp;
}

const c = (name: string, lines: readonly string[], where: string, message: RegExp): Case => ({
  name,
  lines,
  where,
  message,
});
const FP2 = `"${'11'.repeat(32)}"`;

const TOP: Case[] = [
  c('format missing', edit(BASE, { 1: null }), 'format (line 1)', /is required.*format: keywitness-script\/1/),
  c(
    'format of another version',
    edit(BASE, { 1: 'format: keywitness-script/2' }),
    'format (line 1)',
    /reads only "keywitness-script\/1"/,
  ),
  c('format as a number', edit(BASE, { 1: 'format: 1' }), 'format (line 1)', /must be text, but is the number 1/),
  c(
    'unknown top-level field',
    insertAfter(BASE, 3, 'titel: x'),
    'titel (line 4)',
    /unknown field "titel" in a ceremony script; did you mean "title"\?/,
  ),
  c(
    'id missing',
    edit(BASE, { 2: null }),
    'id (line 1)',
    /is required: a ceremony script starting at line 1 has no "id"/,
  ),
  c('id with spaces', edit(BASE, { 2: 'id: "bad id!"' }), 'id (line 2)', /"bad id!" is not a valid id/),
  c('id of 65 characters', edit(BASE, { 2: `id: ${'a'.repeat(65)}` }), 'id (line 2)', /is not a valid id/),
  c(
    'id that YAML reads as a number',
    edit(BASE, { 2: 'id: 1.5' }),
    'id (line 2)',
    /must be text, but is the number 1\.5; .*write it in quotes: "1\.5"/,
  ),
  c('title missing', edit(BASE, { 3: null }), 'title (line 1)', /is required/),
  c('title empty', edit(BASE, { 3: 'title: ""' }), 'title (line 3)', /must not be empty/),
  c('title with no value', edit(BASE, { 3: 'title:' }), 'title (line 3)', /must be text, but has no value/),
  c(
    'title with a trailing space',
    edit(BASE, { 3: 'title: "Test "' }),
    'title (line 3)',
    /must not start or end with spaces/,
  ),
  c('title over two lines', edit(BASE, { 3: 'title: "Test\\nceremony"' }), 'title (line 3)', /single line/),
  c('title true', edit(BASE, { 3: 'title: true' }), 'title (line 3)', /is the boolean true; .*"true"/),
  c('description a number', insertAfter(BASE, 3, 'description: 5'), 'description (line 4)', /must be text/),
  c('a numeric key', insertAfter(BASE, 3, '1: x'), '(document) (line 4)', /every key must be non-empty text/),
  c(
    'an odd key is quoted in the path',
    insertAfter(BASE, 3, '"my key": x'),
    '["my key"] (line 4)',
    /unknown field "my key"/,
  ),
];

const ROLES: Case[] = [
  c(
    'roles missing',
    edit(BASE, {
      4: null,
      5: null,
      6: null,
      7: null,
      8: null,
      9: null,
      10: null,
      11: null,
      12: null,
      13: null,
      14: null,
    }),
    'roles (line 1)',
    /is required/,
  ),
  c(
    'roles empty',
    edit(BASE, {
      4: 'roles: []',
      5: null,
      6: null,
      7: null,
      8: null,
      9: null,
      10: null,
      11: null,
      12: null,
      13: null,
      14: null,
    }),
    'roles (line 4)',
    /at least one/,
  ),
  c(
    'roles a map',
    edit(BASE, {
      4: 'roles: { admin: 1 }',
      5: null,
      6: null,
      7: null,
      8: null,
      9: null,
      10: null,
      11: null,
      12: null,
      13: null,
      14: null,
    }),
    'roles (line 4)',
    /must be a list, but is a map/,
  ),
  c(
    'a role that is text',
    edit(BASE, { 11: '  - custodian', 12: null, 13: null, 14: null }),
    'roles[2] (line 11)',
    /must be a map of fields describing a role/,
  ),
  c('no coordinator', edit(BASE, { 7: '    coordinator: false' }), 'roles (line 4)', /no role has "coordinator: true"/),
  c(
    'two coordinators',
    insertAfter(BASE, 9, '    coordinator: true'),
    'roles[1].coordinator (line 10)',
    /second coordinator role \(the first is at line 7\)/,
  ),
  c(
    'coordinator with min',
    insertAfter(BASE, 7, '    min: 2'),
    'roles[0].min (line 8)',
    /always exactly one device; remove "min"/,
  ),
  c(
    'coordinator "yes"',
    edit(BASE, { 7: '    coordinator: "yes"' }),
    'roles[0].coordinator (line 7)',
    /must be true or false, but is the text "yes"/,
  ),
  c(
    'duplicate role id',
    edit(BASE, { 11: '  - id: witness' }),
    'roles[2].id (line 11)',
    /duplicate role id "witness" \(first at line 8\)/,
  ),
  c(
    'role title missing',
    edit(BASE, { 12: null }),
    'roles[2].title (line 11)',
    /a role starting at line 11 has no "title"/,
  ),
  c(
    'unknown role field',
    insertAfter(BASE, 14, '    maxx: 3'),
    'roles[2].maxx (line 15)',
    /unknown field "maxx" in a role; did you mean "max"\?/,
  ),
  c('min negative', edit(BASE, { 13: '    min: -1' }), 'roles[2].min (line 13)', /whole number written in digits/),
  c(
    'min in hex',
    edit(BASE, { 13: '    min: 0x1' }),
    'roles[2].min (line 13)',
    /whole number written in digits.*is the number 0x1/,
  ),
  c(
    'min as text',
    edit(BASE, { 13: '    min: "1"' }),
    'roles[2].min (line 13)',
    /whole number written in digits.*is the text "1"/,
  ),
  c('min 3.0', edit(BASE, { 13: '    min: 3.0' }), 'roles[2].min (line 13)', /whole number written in digits/),
  c('max below min', edit(BASE, { 13: '    min: 4' }), 'roles[2].max (line 14)', /is 3, less than min \(4\)/),
  c('max 0', edit(BASE, { 14: '    max: 0' }), 'roles[2].max (line 14)', /between 1 and 1000, but is 0/),
  c('max too large', edit(BASE, { 14: '    max: 1001' }), 'roles[2].max (line 14)', /between 1 and 1000/),
];

const PARTICIPANTS: Case[] = [
  c(
    'participants not a list',
    edit(BASE, { 15: 'participants: Alice', 16: null, 17: null, 18: null }),
    'participants (line 15)',
    /must be a list, but is the text "Alice"/,
  ),
  c(
    'participant of an unknown role',
    edit(BASE, { 17: '    role: nobody' }),
    'participants[0].role (line 17)',
    /"nobody" is not a role of this script \(roles: admin, witness, custodian\)/,
  ),
  c(
    'participant fingerprint missing',
    edit(BASE, { 18: null }),
    'participants[0].fingerprint (line 16)',
    /has no "fingerprint"/,
  ),
  c(
    'unknown participant field',
    insertAfter(BASE, 18, '    email: a@example.org'),
    'participants[0].email (line 19)',
    /unknown field "email" in a pinned participant/,
  ),
  c(
    'same fingerprint twice',
    insertAfter(BASE, 18, `  - name: Bob\n    role: witness\n    fingerprint: "${'00'.repeat(31)}ff"`),
    'participants[1].fingerprint (line 21)',
    /same fingerprint is pinned for another participant \(line 18\)/,
  ),
  c(
    'same name twice',
    insertAfter(BASE, 18, `  - name: Alice\n    role: custodian\n    fingerprint: ${FP2}`),
    'participants[1].name (line 19)',
    /"Alice" is pinned twice \(first at line 16\)/,
  ),
  c(
    'more pinned than the role max',
    edit(
      insertAfter(
        BASE,
        18,
        `  - name: Bob\n    role: custodian\n    fingerprint: ${FP2}\n  - name: Carol\n    role: custodian\n    fingerprint: "${'22'.repeat(32)}"`,
      ),
      { 14: '    max: 1' },
    ),
    'participants[2].role (line 23)',
    /participant number 2 for role "custodian", whose max is 1/,
  ),
];

const EXPECTED: Case[] = [
  c(
    'expected value YAML reads as a number',
    edit(BASE, { 20: '  bag: 0123' }),
    'expected.bag (line 20)',
    /is the number 0123; .*write it in quotes: "0123"/,
  ),
  c('expected value empty', edit(BASE, { 20: '  bag: ""' }), 'expected.bag (line 20)', /must not be empty/),
  c(
    'expected name with a dot',
    insertAfter(BASE, 21, '  "a.b": x'),
    'expected["a.b"] (line 22)',
    /"a\.b" is not a valid name.*no dots/,
  ),
  c(
    'expected a list',
    edit(BASE, { 19: 'expected: [a]', 20: null, 21: null }),
    'expected (line 19)',
    /must be a map of name: value lines, but is a list/,
  ),
];

const STEPS: Case[] = [
  c('steps missing', BASE.slice(0, 21), 'steps (line 1)', /is required/),
  c('steps empty', [...BASE.slice(0, 21), 'steps: []'], 'steps (line 22)', /at least one/),
  c('steps with no value', [...BASE.slice(0, 21), 'steps:'], 'steps (line 22)', /must be a list, but has no value/),
  c(
    'unknown step field',
    insertAfter(BASE, 24, '    titel: x'),
    'steps[0].titel (line 25)',
    /unknown field "titel" in a step; did you mean "title"\?/,
  ),
  c(
    'duplicate step id',
    edit(BASE, { 35: '  - id: s1' }),
    'steps[1].id (line 35)',
    /duplicate step id "s1" \(first at line 23\)/,
  ),
  c(
    'step id YAML reads as a number',
    edit(BASE, { 23: '  - id: 1.1' }),
    'steps[0].id (line 23)',
    /is the number 1\.1; .*write it in quotes: "1\.1"/,
  ),
  c(
    'step title missing',
    edit(BASE, { 24: null }),
    'steps[0].title (line 23)',
    /a step starting at line 23 has no "title"/,
  ),
  c(
    'actor not a role',
    edit(BASE, { 25: '    actor: nobody' }),
    'steps[0].actor (line 25)',
    /"nobody" is not a role of this script/,
  ),
  c(
    'instructions a list',
    edit(BASE, { 26: '    instructions: [a]' }),
    'steps[0].instructions (line 26)',
    /must be text, but is a list/,
  ),
  c(
    'instructions with no value',
    edit(BASE, { 26: '    instructions:' }),
    'steps[0].instructions (line 26)',
    /has no value/,
  ),
  c(
    'acks missing',
    edit(BASE, { 32: null, 33: null, 34: null }),
    'steps[0].acks (line 23)',
    /a step starting at line 23 has no "acks"/,
  ),
  c(
    'a step that is text',
    edit(BASE, {
      51: '  - s3',
      52: null,
      53: null,
      54: null,
      55: null,
      56: null,
      57: null,
      58: null,
      59: null,
      60: null,
      61: null,
      62: null,
      63: null,
    }),
    'steps[2] (line 51)',
    /must be a map of fields describing a step/,
  ),
];

const ACKS: Case[] = [
  c(
    'unknown acks field',
    insertAfter(BASE, 34, '      quorum: 2'),
    'steps[0].acks.quorum (line 35)',
    /unknown field "quorum" in the acknowledgements of a step/,
  ),
  c(
    'acks by the coordinator role',
    edit(BASE, { 33: '      roles: [admin]' }),
    'steps[0].acks.roles[0] (line 33)',
    /"admin" is the coordinator's role/,
  ),
  c(
    'acks by an unknown role',
    edit(BASE, { 33: '      roles: [witnesses]' }),
    'steps[0].acks.roles[0] (line 33)',
    /"witnesses" is not a role of this script/,
  ),
  c(
    'acks role listed twice',
    edit(BASE, { 33: '      roles: [witness, witness]' }),
    'steps[0].acks.roles[1] (line 33)',
    /role "witness" is listed twice/,
  ),
  c('acks roles empty', edit(BASE, { 33: '      roles: []' }), 'steps[0].acks.roles (line 33)', /at least one/),
  c(
    'acks roles a single word',
    edit(BASE, { 33: '      roles: witness' }),
    'steps[0].acks.roles (line 33)',
    /must be a list, but is the text "witness"/,
  ),
  c('acks min missing', edit(BASE, { 34: null }), 'steps[0].acks.min (line 32)', /has no "min"/),
  c('acks min 0', edit(BASE, { 34: '      min: 0' }), 'steps[0].acks.min (line 34)', /between 1 and 1000, but is 0/),
  c(
    'acks min above what the roles allow',
    edit(BASE, { 33: '      roles: [custodian]', 34: '      min: 4' }),
    'steps[0].acks.min (line 34)',
    /asks for 4 acknowledgements, but the roles custodian allow at most 3/,
  ),
  c(
    'recompute on a step without evidence',
    insertAfter(BASE, 34, '      recompute: true'),
    'steps[0].acks.recompute (line 35)',
    /is true, but this step imports no evidence to recompute/,
  ),
  c(
    'challenge on a step without evidence',
    insertAfter(BASE, 34, '      challenge: true'),
    'steps[0].acks.challenge (line 35)',
    /is true, but this step imports no evidence to challenge on/,
  ),
  c(
    'acks recompute as text',
    edit(BASE, { 49: '      recompute: "true"' }),
    'steps[1].acks.recompute (line 49)',
    /must be true or false/,
  ),
  c(
    'acks challenge 1',
    edit(BASE, { 50: '      challenge: 1' }),
    'steps[1].acks.challenge (line 50)',
    /must be true or false, but is the number 1/,
  ),
];

const INPUTS: Case[] = [
  c(
    'inputs not a list',
    edit(BASE, { 27: '    inputs: bag', 28: null, 29: null, 30: null, 31: null }),
    'steps[0].inputs (line 27)',
    /must be a list/,
  ),
  c(
    'unknown input field',
    insertAfter(BASE, 31, '        default: x'),
    'steps[0].inputs[0].default (line 32)',
    /unknown field "default" in an input/,
  ),
  c(
    'duplicate input id',
    insertAfter(BASE, 31, '      - id: bag\n        label: Again'),
    'steps[0].inputs[1].id (line 32)',
    /duplicate input id "bag" in this step \(first at line 28\)/,
  ),
  c(
    'input label missing',
    edit(BASE, { 29: null }),
    'steps[0].inputs[0].label (line 28)',
    /an input starting at line 28 has no "label"/,
  ),
  c(
    'unknown $expected name',
    edit(BASE, { 30: '        expect: $expected.bgg' }),
    'steps[0].inputs[0].expect (line 30)',
    /refers to "bgg", which is not defined in expected \(defined: bag, subject\)/,
  ),
  c(
    '$ that is not a reference',
    edit(BASE, { 30: '        expect: $expect.bag' }),
    'steps[0].inputs[0].expect (line 30)',
    /starts with "\$" but is not a reference.*"\$\$"/,
  ),
  c(
    'reference inside other text',
    edit(BASE, { 30: '        expect: "TEB $expected.bag"' }),
    'steps[0].inputs[0].expect (line 30)',
    /a reference must be the whole value/,
  ),
  c(
    'input expect a number',
    edit(BASE, { 30: '        expect: 12' }),
    'steps[0].inputs[0].expect (line 30)',
    /write it in quotes: "12"/,
  ),
  c(
    'invalid pattern',
    edit(BASE, { 31: '        pattern: "TEB-[0-9"' }),
    'steps[0].inputs[0].pattern (line 31)',
    /is not a valid regular expression/,
  ),
  c(
    'pattern the expected value cannot match',
    edit(BASE, { 31: '        pattern: "X-[0-9]+"' }),
    'steps[0].inputs[0].pattern (line 31)',
    /expected value "TEB-1" does not match this pattern/,
  ),
  c(
    'pattern too long',
    edit(BASE, { 31: `        pattern: "${'a'.repeat(257)}"` }),
    'steps[0].inputs[0].pattern (line 31)',
    /257 characters long; .*at most 256/,
  ),
];

const EVIDENCE: Case[] = [
  c(
    'unknown evidence field',
    insertAfter(BASE, 42, '        parsr: x'),
    'steps[1].evidence[0].parsr (line 43)',
    /unknown field "parsr" in a piece of evidence; did you mean "parser"\?/,
  ),
  c(
    'evidence kind unknown',
    edit(BASE, { 41: '        kind: hsm' }),
    'steps[1].evidence[0].kind (line 41)',
    /"hsm" is not an evidence kind \(one of: hsm-output, certificate/,
  ),
  c('evidence kind missing', edit(BASE, { 41: null }), 'steps[1].evidence[0].kind (line 40)', /has no "kind"/),
  c(
    'parser on a certificate',
    insertAfter(BASE, 55, '        parser: openssl'),
    'steps[2].evidence[0].parser (line 56)',
    /applies only to evidence of kind hsm-output, not certificate/,
  ),
  c(
    'evidence id used in an earlier step',
    edit(BASE, { 54: '      - id: keygen' }),
    'steps[2].evidence[0].id (line 54)',
    /duplicate evidence id "keygen" \(first at steps\[1\]\.evidence\[0\]\.id \(line 40\)\); .*unique across the whole script/,
  ),
  c(
    'evidence with the id of an input of the same step',
    insertAfter(BASE, 31, '    evidence:\n      - { id: bag, kind: file }'),
    'steps[0].evidence[0].id (line 33)',
    /"bag" is already an input id in this step \(line 28\)/,
  ),
  c(
    'required "no"',
    edit(BASE, { 56: '        required: no' }),
    'steps[2].evidence[0].required (line 56)',
    /must be true or false, but is the text "no"/,
  ),
  c(
    'unknown $expected inside expect',
    edit(BASE, { 58: '          subject: $expected.nope' }),
    'steps[2].evidence[0].expect.subject (line 58)',
    /refers to "nope"/,
  ),
  c(
    'unknown $expected inside a list in expect',
    edit(BASE, { 60: '          key_usage: [keyCertSign, $expected.nope]' }),
    'steps[2].evidence[0].expect.key_usage[1] (line 60)',
    /refers to "nope"/,
  ),
  c(
    'spki_equals naming no evidence',
    edit(BASE, { 59: '          spki_equals: keygn' }),
    'steps[2].evidence[0].expect.spki_equals (line 59)',
    /evidence "keygn", which no step declares/,
  ),
  c(
    'spki_equals naming later evidence',
    insertAfter(BASE, 45, '          spki_equals: root'),
    'steps[1].evidence[0].expect.spki_equals (line 46)',
    /evidence "root", which is declared later/,
  ),
  c(
    'signed_by naming itself',
    insertAfter(BASE, 60, '          signed_by: root'),
    'steps[2].evidence[0].expect.signed_by (line 61)',
    /evidence "root", which is declared later/,
  ),
  c(
    'aki_matches naming no evidence',
    insertAfter(BASE, 60, '          aki_matches: issuer'),
    'steps[2].evidence[0].expect.aki_matches (line 61)',
    /evidence "issuer", which no step declares/,
  ),
  c(
    'expect not a map',
    edit(BASE, { 57: '        expect: [a]', 58: null, 59: null, 60: null }),
    'steps[2].evidence[0].expect (line 57)',
    /must be a map of expectations/,
  ),
  c(
    'a number in expect not written in plain digits',
    insertAfter(BASE, 60, '          validity_days: 1e3'),
    'steps[2].evidence[0].expect.validity_days (line 61)',
    /1e3 is not a plain whole number/,
  ),
  c(
    'a fraction in expect',
    insertAfter(BASE, 60, '          validity_days: 91.5'),
    'steps[2].evidence[0].expect.validity_days (line 61)',
    /91\.5 is not a plain whole number/,
  ),
  // Raised by the evidence module's validateExpectations; the parser adds the line.
  c(
    'an unknown expectation',
    insertAfter(BASE, 60, '          subjekt: CN=x'),
    'steps[2].evidence[0].expect.subjekt (line 61)',
    /unknown expectation "subjekt"/,
  ),
  c(
    'an unknown key inside a nested expectation',
    insertAfter(BASE, 60, '          key:\n            algorithm: ECDSA\n            curv: P-384'),
    'steps[2].evidence[0].expect.key.curv (line 63)',
    /unknown key/,
  ),
  c(
    'an expectation for another kind of evidence',
    insertAfter(BASE, 45, '          self_signed: true'),
    'steps[1].evidence[0].expect.self_signed (line 46)',
    /does not apply to hsm-output/,
  ),
  c(
    '__proto__ as an expectation key stays a key',
    insertAfter(BASE, 58, '          __proto__: { subject: x }'),
    'steps[2].evidence[0].expect.__proto__ (line 59)',
    /unknown expectation "__proto__"/,
  ),
  c(
    'constructor as an expectation key',
    insertAfter(BASE, 58, '          constructor: x'),
    'steps[2].evidence[0].expect.constructor (line 59)',
    /unknown expectation "constructor"/,
  ),
  c(
    'an unknown HSM output parser',
    edit(BASE, { 42: '        parser: pkcs11' }),
    'steps[1].evidence[0].parser (line 42)',
    /unknown parser "pkcs11"/,
  ),
  c(
    'evidence a single word',
    edit(BASE, { 53: '    evidence: root', 54: null, 55: null, 56: null, 57: null, 58: null, 59: null, 60: null }),
    'steps[2].evidence (line 53)',
    /must be a list/,
  ),
];

const IRREVERSIBLE: Case[] = [
  c(
    'irreversible with a misspelt field',
    edit(BASE, { 38: '      confirmation: root-key' }),
    'steps[1].irreversible.confirmation (line 38)',
    /unknown field "confirmation".*did you mean "confirm"\?/,
  ),
  c(
    'irreversible with an empty confirm',
    edit(BASE, { 38: '      confirm: ""' }),
    'steps[1].irreversible.confirm (line 38)',
    /must not be empty/,
  ),
  c(
    'irreversible: true',
    edit(BASE, { 37: '    irreversible: true', 38: null }),
    'steps[1].irreversible (line 37)',
    /must be a map of fields describing the irreversible marker/,
  ),
  c(
    'irreversible confirm with an unknown reference',
    edit(BASE, { 38: '      confirm: $expected.label' }),
    'steps[1].irreversible.confirm (line 38)',
    /refers to "label"/,
  ),
];

const ALL = [
  ...TOP,
  ...ROLES,
  ...PARTICIPANTS,
  ...EXPECTED,
  ...STEPS,
  ...ACKS,
  ...INPUTS,
  ...EVIDENCE,
  ...IRREVERSIBLE,
];

describe('semantic errors name their YAML path and line', () => {
  it('the base script is valid, so each case breaks exactly one thing', () => {
    expect(() => parseScript(build(BASE))).not.toThrow();
  });

  it.each(ALL.map((k) => [k.name, k] as const))('%s', (_name, k) => {
    const error = catchError(() => parseScript(build(k.lines)));
    expect(error.code).toBe('SCRIPT_INVALID');
    expect(error.where).toBe(k.where);
    expect(error.message).toMatch(k.message);
    expect(error.message.startsWith(`${k.where}: `)).toBe(true);
  });
});

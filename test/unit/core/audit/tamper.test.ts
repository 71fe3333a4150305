/**
 * The tamper suite: mutations of a real demo bundle (the SoftHSM2 root-CA rehearsal), each of which
 * must be caught by its own finding code. Mutations either edit bytes in place (as a careless or
 * malicious editor of the file would) or rebuild the transcript with every key (as an attacker who
 * compromised every device could), so that exactly one rule is broken.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { auditBundle } from '../../../../src/core/audit/audit.js';
import type { FindingCode } from '../../../../src/core/audit/findings.js';
import { checkEvidence } from '../../../../src/core/evidence/checks.js';
import { generateSigner, type Signer } from '../../../../src/core/protocol/identity.js';
import type { Bundle, Receipt } from '../../../../src/core/session/files.js';
import type { SimulationResult } from '../../../../src/core/session/simulate.js';
import { fromHex, fromUtf8, toHex, utf8 } from '../../../../src/core/util/bytes.js';
import type { SealBody } from '../../../../src/core/protocol/bodies.js';
import { decodeCbor, encodeCbor } from '../../../../src/core/protocol/cbor.js';
import { toLowS } from '../../../../src/core/protocol/low-s.js';
import { decodeMessage, expectType, signMessage } from '../../../../src/core/protocol/message.js';
import { sha256 } from '../../../../src/core/util/hash.js';
import { playDemo } from '../../../support/demo.js';
import { envelopes, rechain, resealed, type EnvelopeMap } from '../../../support/rechain.js';

let demo: SimulationResult;
let other: SimulationResult;
let signers: Map<string, Signer>;

beforeAll(async () => {
  demo = await playDemo();
  other = await playDemo();
  signers = new Map([
    [toHex(demo.coordinatorSigner.fingerprint), demo.coordinatorSigner],
    ...demo.devices.map((d) => [toHex(d.signer.fingerprint), d.signer] as const),
  ]);
}, 120_000);

interface Case {
  readonly bundle: Bundle;
  readonly receipts?: readonly Receipt[];
}

async function codes(c: Case): Promise<FindingCode[]> {
  const report = await auditBundle(c.bundle, c.receipts ?? [], { checker: checkEvidence });
  return [...new Set(report.findings.map((f) => f.code))].sort();
}

const T = () => demo.bundle.transcript;
const withTranscript = (transcript: readonly Uint8Array[]): Case => ({ bundle: { ...demo.bundle, transcript } });
const typeAt = (i: number) => envelopes([T()[i]!])[0]!.t;
const indexOf = (pred: (e: EnvelopeMap, i: number) => boolean) => envelopes(T()).findIndex(pred);
const lastIndexOf = (pred: (e: EnvelopeMap) => boolean) => envelopes(T()).map(pred).lastIndexOf(true);
const nameOf = (e: EnvelopeMap) => demo.devices.find((d) => toHex(d.signer.fingerprint) === toHex(e.by))?.name;
const stepOf = (e: EnvelopeMap) => (e.body as { step?: string }).step;

/** Flip one bit of the signature (the last bytes of the wire form) of the entry at index i. */
function flipSignature(i: number): Case {
  const t = T().map((w) => w.slice());
  t[i]![t[i]!.length - 5]! ^= 0x10;
  return withTranscript(t);
}

/** Edit the transcript's envelopes and re-sign everything with the holders' keys. */
async function rebuilt(
  edit: (list: EnvelopeMap[]) => EnvelopeMap[] | void,
  extraSigners: readonly Signer[] = [],
  adjust?: (env: EnvelopeMap, original: EnvelopeMap) => void,
): Promise<Case> {
  const list = envelopes(T());
  const ids = new Map(T().map((w, i) => [toHex(sha256(w)), list[i]!] as const));
  const edited = edit(list) ?? list;
  const keys = new Map(signers);
  for (const s of extraSigners) keys.set(toHex(s.fingerprint), s);
  // An attacker holding every key re-seals the rebuilt transcript too.
  const transcript = await rechain(edited, keys, ids, adjust);
  const seal = await resealed(transcript, demo.coordinatorSigner);
  return { bundle: { ...demo.bundle, transcript, ...(seal ? { seal } : { seal: undefined }) } };
}

/** Rebuild with the `appended` list of the first envelope matching `pick` edited after it is recomputed. */
function appendedEdited(
  pick: (e: EnvelopeMap) => boolean,
  edit: (appended: Uint8Array[]) => Uint8Array[],
): Promise<Case> {
  let done = false;
  return rebuilt(
    () => undefined,
    [],
    (env, original) => {
      if (done || !pick(original)) return;
      done = true;
      env.appended = edit(env.appended as Uint8Array[]);
    },
  );
}

const idOf = (i: number) => sha256(T()[i]!);

describe('tamper suite', () => {
  it('the clean demo bundle, with every receipt, has zero findings', async () => {
    expect(await codes({ bundle: demo.bundle, receipts: demo.receipts })).toEqual([]);
  });

  it('the rebuild tool itself introduces nothing: an unedited rebuild audits clean', async () => {
    expect(await codes(await rebuilt(() => undefined))).toEqual([]);
  });

  const signatureCases: [string, () => number][] = [
    ['genesis', () => 0],
    ['enroll', () => indexOf((e) => e.t === 'enroll')],
    ['statement', () => indexOf((e) => e.t === 'statement' && stepOf(e) === '4.1')],
    ['ack', () => indexOf((e) => e.t === 'ack')],
    ['exception', () => indexOf((e) => e.t === 'exception')],
    ['close', () => indexOf((e) => e.t === 'close')],
    ['attest', () => lastIndexOf((e) => e.t === 'attest')],
  ];
  it.each(signatureCases)('a flipped bit in the signature of the %s is BAD_SIGNATURE', async (type, at) => {
    const i = at();
    expect(typeAt(i)).toBe(type);
    expect(await codes(flipSignature(i))).toContain('BAD_SIGNATURE');
  });

  it("a flipped bit inside a statement's signed bytes (an input value) is BAD_SIGNATURE", async () => {
    const i = indexOf((e) => e.t === 'statement' && stepOf(e) === '1.2');
    const t = T().map((w) => w.slice());
    const pos = findBytes(t[i]!, utf8('TEB-2026-00141'));
    expect(pos).toBeGreaterThan(0);
    t[i]![pos + 13]! ^= 0x01; // ...00141 becomes ...00140
    expect(await codes(withTranscript(t))).toContain('BAD_SIGNATURE');
  });

  const cases: [string, FindingCode[], () => Promise<Case> | Case][] = [
    [
      'evidence bytes changed',
      ['EVIDENCE_HASH_MISMATCH'],
      () => {
        const evidence = demo.bundle.evidence.map((e, i) =>
          i === 0 ? { ...e, data: Uint8Array.from(e.data, (b, j) => (j === 10 ? b ^ 1 : b)) } : e,
        );
        return { bundle: { ...demo.bundle, evidence } };
      },
    ],
    [
      'evidence removed',
      ['EVIDENCE_MISSING'],
      () => ({ bundle: { ...demo.bundle, evidence: demo.bundle.evidence.slice(1) } }),
    ],
    [
      'unreferenced evidence added',
      ['EVIDENCE_UNREFERENCED'],
      () => {
        const data = utf8('a file nobody referred to');
        return { bundle: { ...demo.bundle, evidence: [...demo.bundle.evidence, { sha256: sha256(data), data }] } };
      },
    ],
    [
      'script bytes changed (one letter in a comment)',
      ['SCRIPT_HASH_MISMATCH'],
      () => {
        const script = demo.bundle.script.slice();
        script[2]! ^= 0x20;
        return { bundle: { ...demo.bundle, script } };
      },
    ],
    [
      'script replaced by bytes that do not parse',
      ['SCRIPT_INVALID'],
      () => ({ bundle: { ...demo.bundle, script: utf8('format: [') } }),
    ],
    [
      // Carol's attestation commits to her device's log, which the transcript no longer reproduces.
      'an acknowledgement dropped',
      ['CHAIN_BROKEN', 'LOG_MISMATCH', 'SEAL_MISMATCH'],
      () => {
        const i = indexOf((e) => e.t === 'ack' && nameOf(e) === 'Carol Mbeki');
        return withTranscript(T().filter((_, j) => j !== i));
      },
    ],
    [
      'two acknowledgements swapped',
      ['CHAIN_BROKEN', 'SEAL_MISMATCH'],
      () => {
        const i = indexOf((e) => e.t === 'ack');
        const t = [...T()];
        [t[i], t[i + 1]] = [t[i + 1]!, t[i]!];
        return withTranscript(t);
      },
    ],
    [
      'an entry duplicated at the end',
      ['REPLAYED_MESSAGE', 'SEAL_MISMATCH'],
      () => withTranscript([...T(), T().at(-1)!]),
    ],
    [
      'the transcript truncated before the close',
      ['CLOSE_MISSING', 'SEAL_MISMATCH'],
      () =>
        withTranscript(
          T().slice(
            0,
            indexOf((e) => e.t === 'close'),
          ),
        ),
    ],
    ['the last attestation cut off', ['ATTESTATION_MISSING', 'SEAL_MISMATCH'], () => withTranscript(T().slice(0, -1))],
    [
      'the last entry truncated mid-message',
      ['ATTESTATION_MISSING', 'MESSAGE_MALFORMED', 'SEAL_MISMATCH'],
      () => withTranscript([...T().slice(0, -1), T().at(-1)!.slice(0, -7)]),
    ],
    ['the genesis removed', ['GENESIS_MISSING'], () => withTranscript(T().slice(1))],
    [
      'an acknowledgement spliced in from another session',
      ['SEAL_MISMATCH', 'SESSION_MISMATCH'],
      () => {
        const foreign = other.bundle.transcript.at(-1)!;
        return withTranscript([...T(), foreign]);
      },
    ],
    [
      'an acknowledgement by a key that never enrolled',
      ['UNKNOWN_SIGNER'],
      async () => {
        const stranger = await generateSigner();
        return rebuilt(
          (list) => {
            const i = list.findIndex((e) => e.t === 'ack');
            list.splice(i + 1, 0, { ...structuredClone(list[i]!), by: stranger.fingerprint });
          },
          [stranger],
        );
      },
    ],
    [
      'an acknowledgement for a step that is no longer current',
      ['ACK_WRONG_STEP'],
      () =>
        rebuilt((list) => {
          // Wanda's answer to step 1.1, signed again and inserted once step 2.1 is under way.
          const ack = list.find((e) => e.t === 'ack' && nameOf(e) === 'Wanda Okafor')!;
          const i = list.findIndex((e) => e.t === 'statement' && stepOf(e) === '2.1');
          list.splice(i + 1, 0, { ...structuredClone(ack), at: list[i]!.at as number });
        }),
    ],
    [
      'an acknowledgement naming no statement of the session',
      ['ACK_FOR_UNKNOWN_STATEMENT'],
      () =>
        rebuilt((list) => {
          const i = list.findIndex((e) => e.t === 'ack');
          list.splice(i + 1, 0, {
            ...structuredClone(list[i]!),
            body: { ...list[i]!.body, ref: new Uint8Array(32).fill(7) },
          });
        }),
    ],
    [
      'an acknowledgement from a role the step does not ask for',
      ['ACK_ROLE_NOT_REQUIRED'],
      () =>
        rebuilt((list) => {
          const auditor = demo.devices.find((d) => d.role === 'auditor')!;
          const i = list.findIndex((e) => e.t === 'ack');
          list.splice(i + 1, 0, { ...structuredClone(list[i]!), by: auditor.signer.fingerprint });
        }),
    ],
    [
      'a second, different answer from the same participant',
      ['DUPLICATE_ACK'],
      () =>
        rebuilt((list) => {
          const i = list.findIndex((e) => e.t === 'ack');
          list.splice(i + 1, 0, {
            ...structuredClone(list[i]!),
            body: { ...list[i]!.body, decision: 'object', reason: 'changed my mind' },
          });
        }),
    ],
    [
      "a participant's clock going backwards",
      ['CLOCK_WENT_BACKWARDS'],
      () =>
        rebuilt((list) => {
          const acks = list.filter((e) => e.t === 'ack' && nameOf(e) === 'Wanda Okafor');
          acks[3]!.at = (acks[2]!.at as number) - 60_000;
        }),
    ],
    [
      'a typed input changed after the fact',
      ['INPUT_MISMATCH'],
      () =>
        rebuilt((list) => {
          const s = list.find((e) => e.t === 'statement' && stepOf(e) === '1.2')!;
          (s.body.inputs as Record<string, string>).bag = 'TEB-2026-00999';
        }),
    ],
    [
      'an irreversible step without its typed confirmation',
      ['IRREVERSIBLE_NOT_CONFIRMED'],
      () =>
        rebuilt((list) => {
          const s = list.find((e) => e.t === 'statement' && stepOf(e) === '3.2')!;
          delete s.body.confirm;
        }),
    ],
    [
      'a step skipped',
      ['STEP_OUT_OF_ORDER'],
      () =>
        rebuilt((list) => {
          const s = list.findIndex((e) => e.t === 'statement' && stepOf(e) === '4.2');
          const id = toHex(idOf(s));
          return list.filter(
            (e, i) => i !== s && !(e.t === 'ack' && toHex((e.body as { ref: Uint8Array }).ref) === id),
          );
        }),
    ],
    [
      'a step passed with one confirmation too few',
      ['QUORUM_NOT_MET'],
      () =>
        rebuilt((list) => {
          const s = list.findIndex((e) => e.t === 'statement' && stepOf(e) === '1.2');
          list.splice(s + 1, 1);
        }),
    ],
    [
      'a failed check claimed and passed without an exception',
      ['CHECK_FAILED_NOT_EXCEPTED', 'CHECK_RESULT_MISMATCH'],
      () =>
        rebuilt((list) => {
          const s = list.find((e) => e.t === 'statement' && stepOf(e) === '4.1')!;
          (s.body.checks as { id: string; ok: boolean }[]).find((c) => c.id === 'root.subject')!.ok = false;
        }),
    ],
    [
      'a check result the evidence does not support',
      ['CHECK_RESULT_MISMATCH'],
      () =>
        rebuilt((list) => {
          const s = list.find((e) => e.t === 'statement' && stepOf(e) === '3.2')!;
          (s.body.checks as { id: string; ok: boolean }[]).find((c) => c.id === 'keygen.label')!.ok = false;
        }),
    ],
    [
      'an objection whose exception was removed',
      ['OBJECTION_NOT_RESOLVED'],
      () =>
        rebuilt((list) => {
          const x = list.findIndex((e) => e.t === 'exception');
          const xId = toHex(idOf(x));
          return list.filter(
            (e, i) => i !== x && !(e.t === 'ack' && toHex((e.body as { ref: Uint8Array }).ref) === xId),
          );
        }),
    ],
    [
      'an exception that leaves out the objection',
      ['EXCEPTION_INVALID', 'OBJECTION_NOT_RESOLVED'],
      () =>
        rebuilt((list) => {
          list.find((e) => e.t === 'exception')!.body.objections = [];
        }),
    ],
    [
      'an enrolment after the steps started, with no roster change for it',
      ['ROSTER_INCOMPLETE'],
      () =>
        rebuilt((list) => {
          const auditorEnroll = list.findIndex((e) => e.t === 'enroll' && nameOf(e) === 'Arjun Rao');
          const [enroll] = list.splice(auditorEnroll, 1);
          list.splice(list.findIndex((e) => e.t === 'statement') + 1, 0, enroll!);
          // Its acks and attestation are now from a participant who never joined.
          return list.filter((e) => !(e.t === 'attest' && nameOf(e) === 'Arjun Rao'));
        }),
    ],
    [
      'a custodian missing from the start',
      ['ENROLLMENT_INCOMPLETE'],
      () => rebuilt((list) => list.filter((e) => nameOf(e) !== 'Cathy Novak')),
    ],
    [
      'the script pins an auditor identity the enrolled auditor does not have',
      ['PINNED_IDENTITY_MISMATCH'],
      async () => {
        const pinned = await generateSigner();
        const script = utf8(
          fromUtf8(demo.bundle.script).replace(
            'participants: []',
            `participants:\n  - { name: Someone Else, role: auditor, fingerprint: "${toHex(pinned.fingerprint)}" }`,
          ),
        );
        const c = await rebuilt((list) => {
          list[0]!.body.script = sha256(script);
          return list.filter((e) => !(e.t === 'attest' && nameOf(e) === 'Arjun Rao'));
        });
        return { bundle: { ...c.bundle, script } };
      },
    ],
    [
      'a close before the last step',
      ['CLOSE_PREMATURE'],
      () =>
        rebuilt((list) => {
          const s = list.findIndex((e) => e.t === 'statement' && stepOf(e) === '6.2');
          const c = list.findIndex((e) => e.t === 'close');
          list.splice(s, c - s);
        }),
    ],
    [
      'a statement signed by a participant',
      ['NOT_COORDINATOR'],
      () =>
        rebuilt((list) => {
          const c = list.findIndex((e) => e.t === 'close');
          const s = structuredClone(list.find((e) => e.t === 'statement')!);
          list.splice(c, 0, { ...s, by: demo.devices[0]!.signer.fingerprint });
        }),
    ],
    [
      'a statement added after the close',
      ['ENTRY_AFTER_CLOSE'],
      () =>
        rebuilt((list) => {
          const s = structuredClone(list.find((e) => e.t === 'statement' && stepOf(e) === '6.2')!);
          list.push({ ...s, at: (list.at(-1)!.at as number) + 1 });
        }),
    ],
    [
      'a second attestation from one participant',
      ['ATTESTATION_INVALID'],
      () =>
        rebuilt((list) => {
          const a = list.at(-1)!;
          list.push({ ...structuredClone(a), at: (a.at as number) + 1 });
        }),
    ],
    [
      'an attestation that says "do not agree"',
      ['ATTESTATION_DISAGREES'],
      () =>
        rebuilt((list) => {
          list.at(-1)!.body = { ...list.at(-1)!.body, agree: false, reason: 'The objection at 3.2 was pressured.' };
        }),
    ],
  ];

  /** The demo's seal re-signed by `signer` with its body edited. */
  async function sealed(signer: Signer, edit: (body: SealBody) => SealBody = (b) => b): Promise<Case> {
    const seal = expectType(decodeMessage(demo.bundle.seal!), 'seal');
    const resigned = await signMessage(signer, {
      t: 'seal',
      sid: seal.envelope.sid,
      at: seal.envelope.at,
      body: edit(seal.envelope.body),
    });
    return { bundle: { ...demo.bundle, seal: resigned.wire } };
  }
  it.each<[string, FindingCode[], RegExp, () => Promise<Case> | Case]>([
    [
      'the seal removed',
      ['SEAL_MISSING'],
      /carries no coordinator seal/,
      () => ({ bundle: { ...demo.bundle, seal: undefined } }),
    ],
    [
      "the seal signed by a participant's key",
      ['SEAL_MISMATCH'],
      /signed by key .*, not by the session's coordinator/,
      () => sealed(demo.devices[0]!.signer),
    ],
    [
      'the seal of another session',
      ['SEAL_MISMATCH'],
      /belongs to session/,
      () => ({ bundle: { ...demo.bundle, seal: other.bundle.seal! } }),
    ],
    [
      'a seal with a flipped bit in its signature',
      ['SEAL_MISMATCH'],
      /signature does not verify/,
      () => {
        const seal = demo.bundle.seal!.slice();
        seal[seal.length - 3]! ^= 1;
        return { bundle: { ...demo.bundle, seal } };
      },
    ],
    [
      'a seal naming another head',
      ['SEAL_MISMATCH'],
      /commits to head .*, the transcript's head is/,
      () => sealed(demo.coordinatorSigner, (b) => ({ ...b, head: new Uint8Array(32) })),
    ],
    [
      'a seal leaving out the last attestation',
      ['SEAL_MISMATCH'],
      /lists 5 attestations; 1 of the transcript's 6 are not among them/,
      () => sealed(demo.coordinatorSigner, (b) => ({ ...b, attestations: b.attestations.slice(0, -1) })),
    ],
    [
      'a seal listing the attestations in another order',
      ['SEAL_MISMATCH'],
      /in another order/,
      () => sealed(demo.coordinatorSigner, (b) => ({ ...b, attestations: [...b.attestations].reverse() })),
    ],
    [
      'a seal naming another close',
      ['SEAL_MISMATCH'],
      /names close/,
      () => sealed(demo.coordinatorSigner, (b) => ({ ...b, close: b.head })),
    ],
    [
      'a seal where the bundle holds a genesis instead',
      ['SEAL_MISMATCH'],
      /is a genesis, not a seal/,
      () => ({ bundle: { ...demo.bundle, seal: T()[0]! } }),
    ],
    [
      'a seal inside the transcript',
      ['MESSAGE_MALFORMED', 'SEAL_MISMATCH'],
      /a seal never enters the transcript/,
      () => withTranscript([...T(), demo.bundle.seal!]),
    ],
    [
      'a P-256 attestation flipped to its high-s twin',
      ['ATTESTATION_MISSING', 'BAD_SIGNATURE', 'SEAL_MISMATCH'],
      /lists 6 attestations; 1 of the transcript's 6 are not among them and 1 it lists are not in the transcript/,
      () => {
        const i = lastIndexOf((e) => e.t === 'attest' && nameOf(e) === 'Walter Lindqvist');
        const [envelopeBytes, signature] = decodeCbor(T()[i]!) as [Uint8Array, Uint8Array];
        const high = toLowS(signature).slice();
        // toLowS is the identity on a low-s signature: n - s from the curve order gives its twin.
        const n = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');
        const s = BigInt('0x' + toHex(high.subarray(32)));
        high.set(fromHex((n - s).toString(16).padStart(64, '0')), 32);
        const t = [...T()];
        t[i] = encodeCbor([envelopeBytes, high]);
        return withTranscript(t);
      },
    ],
  ])('%s → %j', async (_name, expected, message, make) => {
    const c = await make();
    const report = await auditBundle(c.bundle, [], { checker: checkEvidence });
    expect([...new Set(report.findings.map((f) => f.code))].sort()).toEqual(expected);
    expect(report.findings.map((f) => f.message).join('\n')).toMatch(message);
  });

  const firstStatement = (e: EnvelopeMap): boolean => e.t === 'statement' && stepOf(e) === '1.1';
  it.each<[string, () => Promise<Case>, RegExp]>([
    [
      "the first statement's appended leaves out an enrolment",
      () => appendedEdited(firstStatement, (a) => a.slice(1)),
      /leaves out the enroll of Wanda Okafor/,
    ],
    [
      "the exception's appended lists an entry from before the coordinator's previous message",
      () =>
        appendedEdited(
          (e) => e.t === 'exception',
          (a) => [sha256(T()[1]!), ...a],
        ),
      /lists the enroll of Wanda Okafor .*, not appended since its previous message/,
    ],
    [
      "the first statement's appended in another order",
      () => appendedEdited(firstStatement, (a) => [...a].reverse()),
      /in another order/,
    ],
    [
      "the close's appended empty",
      () =>
        appendedEdited(
          (e) => e.t === 'close',
          () => [],
        ),
      /leaves out the ack of/,
    ],
  ])('%s → CHAIN_BROKEN, saying what differs', async (_name, make, message) => {
    const c = await make();
    const report = await auditBundle(c.bundle, [], { checker: checkEvidence });
    expect([...new Set(report.findings.map((f) => f.code))]).toEqual(['CHAIN_BROKEN']);
    expect(report.findings.map((f) => f.message).join('\n')).toMatch(message);
  });

  it.each(cases)('%s → %j', async (_name, expected, make) => {
    expect(await codes(await make())).toEqual([...expected].sort());
  });

  it('a receipt holding an objection the coordinator dropped (and re-signed around) → RECEIPT_ENTRY_MISSING', async () => {
    const c = await rebuilt((list) => {
      const x = list.findIndex((e) => e.t === 'exception');
      const xId = toHex(idOf(x));
      return list.filter(
        (e, i) =>
          i !== x &&
          !(e.t === 'ack' && toHex((e.body as { ref: Uint8Array }).ref) === xId) &&
          !(e.t === 'ack' && (e.body as { decision: string }).decision === 'object'),
      );
    });
    // Without receipts the rebuilt bundle looks clean: only the receipts can reveal the drop.
    expect(await codes(c)).toEqual([]);
    // The victim's receipt also no longer gives the log that their (re-signed) attestation claims.
    expect(await codes({ ...c, receipts: demo.receipts })).toEqual(['RECEIPT_ENTRY_MISSING', 'RECEIPT_LOG_MISMATCH']);
  });

  it('a receipt from another session → RECEIPT_SESSION_MISMATCH', async () => {
    expect(await codes({ bundle: demo.bundle, receipts: [other.receipts[0]!] })).toEqual(['RECEIPT_SESSION_MISMATCH']);
  });

  it('a receipt whose message was altered → RECEIPT_INVALID', async () => {
    const r = demo.receipts[0]!;
    const messages = r.messages.map((m, i) =>
      i === 1 ? Uint8Array.from(m, (b, j) => (j === m.length - 3 ? b ^ 4 : b)) : m,
    );
    expect(await codes({ bundle: demo.bundle, receipts: [{ ...r, messages }] })).toEqual(['RECEIPT_INVALID']);
  });
});

function findBytes(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

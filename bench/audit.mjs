// npm run bench:audit — times the audit of a 1,000-step session with 5 acknowledgements per step
// against verifying the same signatures with raw WebCrypto in the same run. The audit's own work
// (decoding, the rule fold, chain hashing) should cost less than half the signature checks:
// target ratio ≤ 1.5. Reports medians; the last line is one JSON object.
import { webcrypto } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { auditBundle } from '../dist/core/audit/audit.js';
import { decodeMessage } from '../dist/core/protocol/message.js';
import { signedBytes } from '../dist/core/protocol/identity.js';
import { parseScript } from '../dist/core/script/parse.js';
import { simulateCeremony } from '../dist/core/session/simulate.js';
import { toHex, utf8 } from '../dist/core/util/bytes.js';

// As bin/keywitness.js does: one pool thread per core (at least 2), before the pool is first used.
// Both the baseline and the audit run on the same pool.
process.env.UV_THREADPOOL_SIZE ??= String(Math.max(2, availableParallelism()));

const STEPS = Number(process.env.BENCH_STEPS ?? 1000);
const ACKS = 5;
const RUNS = Number(process.env.BENCH_RUNS ?? 7);

function scriptText() {
  const lines = [
    'format: keywitness-script/1',
    'id: bench-audit',
    'title: Audit benchmark',
    'roles:',
    '  - { id: admin, title: Administrator, coordinator: true }',
    `  - { id: witness, title: Witness, min: ${ACKS} }`,
    'steps:',
  ];
  for (let i = 0; i < STEPS; i++)
    lines.push(`  - { id: "s${i}", title: "Step ${i}", acks: { roles: [witness], min: ${ACKS} } }`);
  return lines.join('\n') + '\n';
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const scriptBytes = utf8(scriptText());
const script = parseScript(scriptBytes);
process.stdout.write(`building a session of ${STEPS} steps x ${ACKS} acks... `);
const participants = Array.from({ length: ACKS }, (_, i) => ({ name: `Witness ${i + 1}`, role: 'witness' }));
const { bundle } = await simulateCeremony({
  script,
  scriptBytes,
  coordinatorName: 'Coordinator',
  participants,
  steps: {},
});
const messages = bundle.transcript.map((w) => decodeMessage(w));
console.log(`${messages.length} signed messages; ${process.env.UV_THREADPOOL_SIZE} WebCrypto pool threads`);

// Raw baseline: the same signatures, keys imported once, all verified at once (as the audit does).
const keys = new Map();
for (const m of messages) {
  if (m.envelope.t !== 'genesis' && m.envelope.t !== 'enroll') continue;
  const b = m.envelope.body;
  const params = b.alg === 'ed25519' ? { name: 'Ed25519' } : { name: 'ECDSA', namedCurve: 'P-256' };
  keys.set(toHex(m.envelope.by), {
    alg: b.alg,
    key: await webcrypto.subtle.importKey('raw', b.key, params, false, ['verify']),
  });
}
const jobs = messages.map((m) => ({
  k: keys.get(toHex(m.envelope.by)),
  data: signedBytes(m.envelope.t, m.envelopeBytes),
  sig: m.signature,
}));
async function rawVerify() {
  const ok = await Promise.all(
    jobs.map(({ k, data, sig }) =>
      webcrypto.subtle.verify(
        k.alg === 'ed25519' ? { name: 'Ed25519' } : { name: 'ECDSA', hash: 'SHA-256' },
        k.key,
        sig,
        data,
      ),
    ),
  );
  if (!ok.every(Boolean)) throw new Error('baseline: a signature failed');
}
async function audit() {
  const report = await auditBundle(bundle, []);
  if (report.findings.length !== 0) throw new Error(`audit found ${report.findings.length} findings`);
}

// Warm up both paths, then alternate them so machine noise falls on both alike.
await rawVerify();
await audit();
const rawTimes = [];
const auditTimes = [];
for (let i = 0; i < RUNS; i++) {
  let t = performance.now();
  await rawVerify();
  rawTimes.push(performance.now() - t);
  t = performance.now();
  await audit();
  auditTimes.push(performance.now() - t);
}
const auditMs = median(auditTimes);
const rawMs = median(rawTimes);
console.log(
  `raw WebCrypto verify: median ${rawMs.toFixed(1)} ms over ${RUNS} runs (${rawTimes.map((x) => x.toFixed(0)).join(', ')})`,
);
console.log(
  `keywitness audit:     median ${auditMs.toFixed(1)} ms over ${RUNS} runs (${auditTimes.map((x) => x.toFixed(0)).join(', ')})`,
);
console.log(
  JSON.stringify({
    bench: 'audit',
    steps: STEPS,
    signatures: messages.length,
    audit_ms: Number(auditMs.toFixed(1)),
    raw_verify_ms: Number(rawMs.toFixed(1)),
    ratio: Number((auditMs / rawMs).toFixed(3)),
  }),
);

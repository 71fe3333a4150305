/**
 * `keywitness inspect FILE… [--json] [--kind KIND] [--parser NAME]`: certificates,
 * CSRs, public keys, DNSKEYs, CRLs, OCSP responses and HSM transcripts → facts and fingerprints
 * (hex and PGP words).
 * The kind is detected unless given. Each file is read with a size check first; a file that fails
 * gets a specific error line and the exit code is 1. Certificates are shown with their lints
 * (`cert-lint.ts`), which never change the exit code. `--json` prints the shape documented in the
 * README (section `keywitness inspect`).
 */
import type { CliCommand, CliIo } from './io.js';
import { isKeywitnessError } from '../core/errors.js';
import { MAX_EVIDENCE_BYTES } from '../core/evidence/der.js';
import { describeEvidence, type EvidenceDescription, type FingerprintView } from '../core/evidence/describe.js';
import { detectEvidenceKind } from '../core/evidence/parse.js';
import { EVIDENCE_KINDS, type EvidenceKind } from '../core/script/types.js';
import { installCryptoEngine } from '../node/crypto-engine.js';
import { readInputFile } from '../node/files.js';
import { UsageError, parseCommandArgs } from './args.js';
import { INSPECT_SPEC } from './commands.js';

export const INSPECT_USAGE = `keywitness ${INSPECT_SPEC.usage[0]}`;

/** Result for one file in `--json` output. */
export type InspectEntry =
  | { readonly file: string; readonly ok: true; readonly evidence: EvidenceDescription }
  | { readonly file: string; readonly ok: false; readonly error: { readonly code: string; readonly message: string } };

async function inspectFile(
  path: string,
  kind: EvidenceKind | undefined,
  parser: string | undefined,
): Promise<InspectEntry> {
  try {
    // The CLI's one reader: a folder, FIFO, device or socket, or a file over the evidence limit,
    // is refused before a byte is read.
    const bytes = await readInputFile(path, MAX_EVIDENCE_BYTES);
    if (bytes.length === 0)
      return { file: path, ok: false, error: { code: 'EVIDENCE_INVALID', message: `${path}: empty input` } };
    const k = kind ?? detectEvidenceKind(bytes);
    return {
      file: path,
      ok: true,
      evidence: await describeEvidence(k, bytes, k === 'hsm-output' ? parser : undefined, path),
    };
  } catch (e) {
    if (isKeywitnessError(e)) return { file: path, ok: false, error: { code: e.code, message: e.message } };
    return { file: path, ok: false, error: { code: 'INTERNAL', message: `unexpected failure: ${String(e)}` } };
  }
}

function fpLines(label: string, f: FingerprintView, indent: string): string[] {
  return [`${indent}${label}: ${f.colonHex}`, `${indent}  words: ${f.words}`, `${indent}  short: ${f.short}`];
}

type Obj = Record<string, unknown>;

function keyLines(k: Obj, indent: string): string[] {
  const desc = [
    k.algorithm,
    k.curve,
    k.size ? `${String(k.size)} bits` : null,
    k.exponent ? `e=${String(k.exponent)}` : null,
  ]
    .filter(Boolean)
    .join(' ');
  return [`${indent}key: ${desc}`, ...fpLines('SPKI SHA-256', k.spkiSha256 as FingerprintView, indent)];
}

function extLines(ext: Obj, indent: string): string[] {
  const out: string[] = [];
  for (const p of (ext.present as Obj[]) ?? []) {
    const name = String(p.name);
    const v = ext[name === 'cRLDistributionPoints' ? 'crlDistributionPoints' : name];
    const shown = v === undefined ? '' : `: ${JSON.stringify(v)}`;
    out.push(`${indent}${name}${p.critical ? ' (critical)' : ''}${shown}`);
  }
  return out.length ? [`${indent.slice(2)}extensions:`, ...out] : [];
}

function describeText(entry: InspectEntry): string {
  if (!entry.ok) return `${entry.file}: ERROR ${entry.error.code}: ${entry.error.message}\n`;
  const e = entry.evidence;
  const lines = [
    `${entry.file}: ${e.kind} (${e.size} bytes)`,
    ...((e.notes as string[] | undefined) ?? []).map((n) => `  note: ${n}`),
    ...fpLines('file SHA-256', e.fileSha256, '  '),
  ];
  if (e.kind === 'certificate') {
    (e.certificates as Obj[]).forEach((c, i) => {
      lines.push(
        `  certificate ${i + 1}:`,
        `    subject: ${String(c.subject)}`,
        `    issuer: ${String(c.issuer)}`,
        `    serial: ${String(c.serial)} (${String(c.serialBits)} bits)`,
        `    validity: ${String(c.notBefore)} to ${String(c.notAfter)} (${String(c.validityDays)} days)`,
        `    signature algorithm: ${String(c.signatureAlgorithm)}`,
        ...keyLines(c.key as Obj, '    '),
        ...extLines(c.extensions as Obj, '      '),
        ...fpLines('SHA-256', c.sha256 as FingerprintView, '    '),
        ...fpLines('SHA-1', c.sha1 as FingerprintView, '    '),
      );
      const self = c.selfSignature as Obj | null;
      lines.push(`    self-signature: ${self ? `${String(self.status)} (${String(self.detail)})` : 'not self-issued'}`);
      for (const w of c.warnings as string[]) lines.push(`    warning: ${w}`);
      const lints = c.lints as Obj[];
      if (lints.length === 0) lines.push('    lints: none');
      for (const l of lints) lines.push(`    lint ${String(l.severity)} ${String(l.code)}: ${String(l.message)}`);
    });
    // A self-signed certificate's link is its self-signature line above.
    for (const l of ((e.chain as Obj[] | null) ?? []).filter((x) => x.issuedBy !== 'itself')) {
      const by = l.issuerIndex === null ? String(l.issuedBy) : `#${Number(l.issuerIndex) + 1} ${String(l.issuedBy)}`;
      lines.push(
        `  chain: #${Number(l.index) + 1} ${String(l.subject)} issued by ${by}: ${String(l.status)} (${String(l.detail)})`,
      );
    }
  } else if (e.kind === 'csr') {
    const c = e.csr as Obj;
    const s = c.signature as Obj;
    lines.push(
      `  subject: ${String(c.subject)}`,
      `  signature algorithm: ${String(c.signatureAlgorithm)}`,
      `  signature: ${String(s.status)} (${String(s.detail)})`,
      ...keyLines(c.key as Obj, '  '),
      ...extLines(c.extensions as Obj, '    '),
      ...fpLines('SHA-256', c.sha256 as FingerprintView, '  '),
    );
  } else if (e.kind === 'public-key') {
    lines.push(...keyLines(e.key as Obj, '  '));
  } else if (e.kind === 'dnskey') {
    lines.push(`  format: ${String(e.format)}, zone ${String(e.zone)}`);
    for (const k of e.keys as Obj[]) {
      lines.push(
        `  DNSKEY ${String(k.owner)} flags ${String(k.flags)} algorithm ${String(k.algorithm)} key tag ${String(k.keyTag)}${k.sep ? ' (KSK)' : ''}`,
      );
      for (const d of k.ds as Obj[]) lines.push(`    ${String(d.record)}`);
    }
    for (const a of e.anchors as Obj[])
      lines.push(
        `  anchor ${String(a.id)}: key tag ${String(a.keyTag)} digest type ${String(a.digestType)} ${String(a.digest)}${a.publicKeyMatchesDigest === null ? '' : a.publicKeyMatchesDigest ? ' (matches its PublicKey)' : ' (DOES NOT match its PublicKey)'}`,
      );
  } else if (e.kind === 'crl') {
    const c = e.crl as Obj;
    lines.push(
      `  issuer: ${String(c.issuer)}`,
      `  CRL number: ${c.crlNumber === null ? 'none' : String(c.crlNumber)}`,
      `  this update: ${String(c.thisUpdate)}, next update: ${c.nextUpdate === null ? 'none' : String(c.nextUpdate)}`,
      `  signature algorithm: ${String(c.signatureAlgorithm)}`,
      ...fpLines('SHA-256', c.sha256 as FingerprintView, '  '),
    );
    for (const r of c.revoked as Obj[])
      lines.push(
        `  revoked: serial ${String(r.serial)} at ${String(r.revocationDate)}${r.reason === null ? '' : ` (${String(r.reason)})`}`,
      );
    for (const w of c.warnings as string[]) lines.push(`  warning: ${w}`);
  } else if (e.kind === 'ocsp') {
    const o = e.ocsp as Obj;
    const responder = o.responder as Obj;
    lines.push(
      `  responder: ${responder.name === undefined ? `key SHA-1 ${String(responder.keyHash)}` : String(responder.name)}`,
      `  produced at: ${String(o.producedAt)}`,
      `  signature algorithm: ${String(o.signatureAlgorithm)}`,
      ...fpLines('SHA-256', o.sha256 as FingerprintView, '  '),
    );
    for (const r of o.responses as Obj[])
      lines.push(
        `  response: serial ${String(r.serial)} ${String(r.status)}${r.revocationReason === null ? '' : ` (${String(r.revocationReason)})`}, this update ${String(r.thisUpdate)}`,
      );
    for (const c of o.certificates as Obj[]) lines.push(`  certificate: ${String(c.subject)}`);
  } else if (e.kind === 'hsm-output') {
    lines.push(`  format: ${String(e.format)}`, `  success: ${e.success === null ? 'not stated' : String(e.success)}`);
    for (const err of e.errors as string[]) lines.push(`  error: ${err}`);
    for (const [k, v] of Object.entries(e.facts as Obj)) lines.push(`  ${k}: ${String(v)}`);
    for (const o of e.objects as Obj[]) {
      lines.push(
        `  object: ${['class', 'keyType', 'label', 'id', 'bits', 'curve']
          .filter((f) => o[f] !== null)
          .map((f) => `${f}=${String(o[f])}`)
          .join(' ')}`,
      );
    }
    for (const k of e.publicKeys as Obj[]) lines.push(...keyLines(k, '  '));
  }
  return `${lines.join('\n')}\n`;
}

/** The `inspect` command. */
export const runInspect: CliCommand = async (args: readonly string[], io: CliIo) => {
  const { values, positionals: files } = parseCommandArgs(args, {
    json: { type: 'boolean' },
    kind: { type: 'string' },
    parser: { type: 'string' },
  });
  const kind = values.kind === undefined ? undefined : EVIDENCE_KINDS.find((k) => k === values.kind);
  if (values.kind !== undefined && kind === undefined)
    throw new UsageError(`unknown kind "${values.kind}"; usage: ${INSPECT_USAGE}`);
  if (files.length === 0) throw new UsageError(`no file given; usage: ${INSPECT_USAGE}`);
  installCryptoEngine();
  const entries: InspectEntry[] = [];
  for (const f of files) entries.push(await inspectFile(f, kind, values.parser));
  if (values.json) io.stdout(`${JSON.stringify({ format: 'keywitness-inspect/1', files: entries }, null, 2)}\n`);
  else {
    for (const entry of entries) (entry.ok ? io.stdout : io.stderr)(describeText(entry));
  }
  return entries.every((e) => e.ok) ? 0 : 1;
};

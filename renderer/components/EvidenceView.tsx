/**
 * A piece of evidence as a witness checks it: its facts and its fingerprints, large, as PGP words
 * and hex (docs/architecture.md, "Evidence and checks"). Described from the bytes this device
 * holds, never from another screen.
 */
import { useEffect, useState } from 'react';
import { describeEvidence, type EvidenceDescription } from '../../src/core/evidence/describe.js';
import type { EvidenceSpec } from '../../src/core/script/types.js';
import { comparableFingerprints } from '../../src/core/evidence/comparable.js';
import { spokenWords } from '../../src/core/protocol/words.js';
import { formatTime } from '../../src/core/util/time-format.js';
import { explain } from '../app/explain.js';
import { HashView } from './HashView.js';

function facts(d: EvidenceDescription): [string, string][] {
  const rows: [string, string][] = [
    ['Kind', d.kind],
    ['Size', `${d.size} bytes`],
  ];
  const certs = d.certificates as
    | {
        subject: string;
        issuer: string;
        notBefore: string;
        notAfter: string;
        key: { algorithm: string; curve: string | null; size: number | null };
      }[]
    | undefined;
  if (certs?.[0]) {
    const c = certs[0];
    rows.push(
      ['Subject', c.subject],
      ['Issuer', c.issuer],
      ['Valid', `${formatTime(c.notBefore)} to ${formatTime(c.notAfter)}`],
      ['Key', `${c.key.algorithm} ${c.key.curve ?? c.key.size ?? ''}`],
    );
  }
  if (d.kind === 'hsm-output') {
    rows.push(
      ['Tool output', String(d.format)],
      ['Success', d.success === null ? 'not stated' : d.success ? 'yes' : 'NO'],
    );
    const objects = d.objects as { class: string | null; label: string | null; keyType: string | null }[];
    for (const o of objects.slice(0, 8))
      rows.push(['Object', [o.class, o.keyType, o.label && `"${o.label}"`].filter(Boolean).join(' ')]);
  }
  if (d.kind === 'public-key') {
    const k = d.key as { algorithm: string; curve: string | null; size: number | null };
    rows.push(['Key', `${k.algorithm} ${k.curve ?? k.size ?? ''}`]);
  }
  return rows;
}

/** The description of the bytes this device holds, or why they could not be read. */
function useDescription(
  spec: EvidenceSpec,
  bytes: Uint8Array,
  name: string,
): { d: EvidenceDescription | undefined; error: string | undefined } {
  const [d, setD] = useState<EvidenceDescription | undefined>();
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    let live = true;
    describeEvidence(spec.kind, bytes, spec.parser, name).then(
      (v) => live && setD(v),
      (e: unknown) => live && setError(explain(e).what),
    );
    return () => {
      live = false;
    };
  }, [spec, bytes, name]);
  return { d, error };
}

/**
 * The one fingerprint the room compares for a piece of evidence (the one the word challenge asks
 * about), large, with the command that shows it on the independent source: what the coordinator's
 * screen shows the room while the witnesses answer.
 */
export function PrimaryFingerprint({ spec, bytes, name }: { spec: EvidenceSpec; bytes: Uint8Array; name: string }) {
  const { d, error } = useDescription(spec, bytes, name);
  if (error)
    return (
      <p className="kw-bad">
        Evidence <code>{spec.id}</code> could not be read as {spec.kind}: {error}
      </p>
    );
  const f = d ? comparableFingerprints(d, name)[0] : undefined;
  if (!f) return null;
  return (
    <section className="kw-primary-fp" aria-label={`Fingerprint of evidence ${spec.id}`}>
      <p className="kw-words-huge" data-testid={`primary-fingerprint-${spec.id}`}>
        {spokenWords(f.bytes)}
      </p>
      <HashView bytes={f.bytes} hex={f.hex} label={`Evidence ${spec.id}: ${f.label}`} source={f} size="normal" />
    </section>
  );
}

export function EvidenceView({ spec, bytes, name }: { spec: EvidenceSpec; bytes: Uint8Array; name: string }) {
  const { d, error } = useDescription(spec, bytes, name);
  return (
    <section className="kw-evidence" aria-label={`Evidence ${spec.id}`} data-testid={`evidence-${spec.id}`}>
      <h4>
        Evidence <code>{spec.id}</code>: {name}
      </h4>
      {error && (
        <p className="kw-bad" role="alert">
          Could not read this evidence as {spec.kind}: {error}. Its checks below say what failed; object if it is not
          what the step needs.
        </p>
      )}
      {d && (
        <>
          <dl className="kw-facts">
            {facts(d).map(([k, v], i) => (
              <div key={i}>
                <dt>{k}</dt>
                <dd>{v}</dd>
              </div>
            ))}
          </dl>
          {comparableFingerprints(d, name).map((f, i) => (
            <HashView
              key={i}
              bytes={f.bytes}
              hex={f.hex}
              label={f.label}
              source={f}
              size={i === 0 ? 'large' : 'normal'}
              testId={i === 0 ? `fingerprint-${spec.id}` : undefined}
            />
          ))}
        </>
      )}
    </section>
  );
}

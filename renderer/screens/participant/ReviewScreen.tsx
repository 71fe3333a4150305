/**
 * Participant: review a statement (or an exception) on this device. Everything shown is recomputed
 * here from the scanned bytes: input checks, every evidence check, fingerprints. Confirming needs
 * agreement with the statement's claims, the evidence recomputed where the step says so, and the
 * word challenge where the step asks for it; objecting needs a reason.
 */
import { useEffect, useState } from 'react';
import { describeEvidence } from '../../../src/core/evidence/describe.js';
import type { SignedMessage } from '../../../src/core/protocol/message.js';
import type { Review } from '../../../src/core/session/participant.js';
import { CheckTable } from '../../components/CheckTable.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { EvidenceView } from '../../components/EvidenceView.js';
import { Markdown } from '../../components/Markdown.js';
import { comparableFingerprints, type ComparableFingerprint } from '../../session/fingerprints.js';
import type { ParticipantSession } from '../../session/participant-session.js';
import type { ParticipantView } from './ParticipantFlow.js';
import { WordChallenge } from './WordChallenge.js';

function useChallengeFingerprint(review: Review): ComparableFingerprint | undefined {
  const [fp, setFp] = useState<ComparableFingerprint | undefined>();
  useEffect(() => {
    if (!review.step.acks.challenge) return;
    const item = review.evidence[0];
    const ref = review.statement.envelope.body.evidence[0];
    if (!item) {
      if (ref) setFp({ label: `SHA-256 of ${ref.name}`, bytes: ref.sha256, how: 'sha256sum FILE' });
      return;
    }
    let live = true;
    describeEvidence(item.spec.kind, item.bytes, item.spec.parser).then(
      (d) => live && setFp(comparableFingerprints(d)[0]),
      () => live && ref && setFp({ label: `SHA-256 of ${ref.name}`, bytes: ref.sha256, how: 'sha256sum FILE' }),
    );
    return () => {
      live = false;
    };
  }, [review]);
  return fp;
}

export function ReviewScreen({
  session,
  review,
  related,
  go,
}: {
  session: ParticipantSession;
  review: Review;
  related: readonly Uint8Array[];
  go: (v: ParticipantView) => void;
}) {
  const { step, statement } = review;
  const body = statement.envelope.body;
  const isException = review.target.envelope.t === 'exception';
  const exception = isException ? (review.target as SignedMessage<'exception'>).envelope.body : undefined;
  const eligible = step.acks.roles.includes(session.device.role);
  const fingerprint = useChallengeFingerprint(review);
  const [challengePassed, setChallengePassed] = useState(false);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const blockers: string[] = [];
  if (!isException && review.disagreements.length > 0)
    blockers.push(
      `this device's own checks disagree with the statement (${review.disagreements.map((d) => d.id).join(', ')})`,
    );
  if (step.acks.recompute && !review.recomputedAll)
    blockers.push('the evidence has not been recomputed on this device');
  if (step.acks.challenge && !challengePassed) blockers.push('the word challenge is not yet passed');

  const answer = async (decision: 'confirm' | 'object'): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      const ack = await session.acknowledge(
        review,
        related,
        decision,
        decision === 'object' ? { reason } : { challengePassed },
      );
      go({ at: 'answered', ack });
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  return (
    <section
      className="kw-screen"
      aria-labelledby="review-title"
      data-testid="participant-review"
      data-step={step.id}
      data-target={review.target.envelope.t}
    >
      <p className="kw-muted">
        {isException ? 'Exception' : 'Statement'} signed by the coordinator at{' '}
        {new Date(review.target.envelope.at).toLocaleTimeString()}
      </p>
      <h1 id="review-title">
        Step {step.id}: {step.title}
      </h1>
      {exception && (
        <div className="kw-exception" data-testid="exception-reason">
          <h2>Exception recorded by the coordinator</h2>
          <p>&ldquo;{exception.reason}&rdquo;</p>
          <p>
            It resolves {exception.objections.length} objection(s)
            {body.checks.some((c) => !c.ok) ? ' and the failed checks below' : ''}. Confirm only if what the room found
            justifies continuing.
          </p>
        </div>
      )}
      <details>
        <summary>Instructions of this step (from this device&apos;s script)</summary>
        <Markdown source={step.instructions} />
      </details>
      {Object.keys(body.inputs).length > 0 && (
        <dl className="kw-facts">
          {Object.entries(body.inputs).map(([k, v]) => (
            <div key={k}>
              <dt>{step.inputs.find((i) => i.id === k)?.label ?? k}</dt>
              <dd>
                <code>{v}</code>
              </dd>
            </div>
          ))}
        </dl>
      )}
      {review.disagreements.length > 0 && (
        <p className="kw-bad" role="alert" data-testid="disagreements">
          This device disagrees with the statement on:{' '}
          {review.disagreements
            .map(
              (d) =>
                `${d.id} (statement: ${d.claimed === undefined ? 'not claimed' : d.claimed ? 'pass' : 'fail'}, this device: ${d.own ? 'pass' : 'fail'})`,
            )
            .join('; ')}
          .
        </p>
      )}
      <CheckTable checks={review.recomputed} caption="Checks recomputed on this device" testId="own-checks" />
      {body.evidence.length > 0 && !review.recomputedAll && (
        <p className="kw-muted">
          The evidence itself did not travel with this statement (the step does not ask witnesses to recompute it); its
          SHA-256 digests are:{' '}
          {body.evidence
            .map((e) => `${e.id} ${Array.from(e.sha256.slice(0, 8), (b) => b.toString(16).padStart(2, '0')).join('')}…`)
            .join(', ')}
          .
        </p>
      )}
      {review.evidence.map((item) => (
        <EvidenceView
          key={item.spec.id}
          spec={item.spec}
          bytes={item.bytes}
          name={body.evidence.find((e) => e.id === item.spec.id)?.name ?? item.spec.id}
        />
      ))}
      {!eligible ? (
        <div className="kw-notice">
          <p>
            This step asks for {step.acks.roles.join(', ')}; your role ({session.device.role}) does not acknowledge it.
          </p>
          <button type="button" onClick={() => go({ at: 'listen' })}>
            Back to scanning
          </button>
        </div>
      ) : (
        <section aria-labelledby="answer-title" className="kw-answer">
          <h2 id="answer-title">Your answer</h2>
          {step.acks.challenge && fingerprint && (
            <WordChallenge fingerprint={fingerprint} onPassed={setChallengePassed} />
          )}
          <button
            type="button"
            className="kw-primary"
            disabled={busy || blockers.length > 0}
            onClick={() => void answer('confirm')}
          >
            Confirm {isException ? 'the exception' : `step ${step.id}`}
          </button>
          {blockers.length > 0 && <p className="kw-muted">Cannot confirm yet: {blockers.join('; ')}.</p>}
          <div className="kw-field">
            <label htmlFor="object-reason">Or object, saying why</label>
            <textarea id="object-reason" rows={3} value={reason} onChange={(e) => setReason(e.target.value)} />
          </div>
          <button
            type="button"
            className="kw-danger"
            disabled={busy || reason.trim() === ''}
            onClick={() => void answer('object')}
          >
            Object
          </button>
          <ErrorNotice error={error} title="Your answer was not signed" />
        </section>
      )}
    </section>
  );
}

/**
 * Participant: review a statement (or an exception) on this device. Everything shown was recomputed
 * here by the device's session from the scanned bytes: input checks, every evidence check,
 * fingerprints. The session decides whether confirming is allowed (and says why not), runs the
 * word challenge and signs; this screen shows its review and passes on what the witness does.
 */
import { useState } from 'react';
import type { Decision } from '../../../src/core/protocol/bodies.js';
import type { ParticipantSession, Review } from '../../../src/core/session/participant-session.js';
import { toHex } from '../../../src/core/util/bytes.js';
import { formatTime } from '../../../src/core/util/time-format.js';
import { CheckTable } from '../../components/CheckTable.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { EvidenceView } from '../../components/EvidenceView.js';
import { Markdown } from '../../components/Markdown.js';
import type { ParticipantView } from './ParticipantFlow.js';
import { WordChallenge } from './WordChallenge.js';

export function ReviewScreen({
  session,
  initial,
  go,
}: {
  session: ParticipantSession;
  initial: Review;
  go: (v: ParticipantView) => void;
}) {
  const [review, setReview] = useState(initial);
  const { step, statement, eligible } = review;
  const body = statement.envelope.body;
  const exception = review.target.t === 'exception' ? review.target.envelope.body : undefined;
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  /** After a challenge attempt the session's review (its refusals) changes: show the new one. */
  const reload = async (): Promise<void> => {
    const next = await session.next();
    if (next.kind === 'review' && toHex(next.review.target.id) === toHex(review.target.id)) setReview(next.review);
  };

  const answer = async (decision: Decision): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      const ack = decision === 'object' ? await session.object(reason) : await session.confirm();
      go({ at: 'answered', ack, review });
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
      data-target={review.target.t}
    >
      <p className="kw-muted kw-kicker">
        {exception ? 'Exception' : 'Statement'} signed by the coordinator at {formatTime(review.target.envelope.at)}
      </p>
      <h1 id="review-title">
        Step {step.id}: {step.title}
      </h1>
      {exception && (
        <div className="kw-exception" data-testid="exception-reason">
          <h2>
            {exception.decision === 'repeat'
              ? `Exception recorded by the coordinator: REPEAT step ${step.id}`
              : 'Exception recorded by the coordinator'}
          </h2>
          <p>&ldquo;{exception.reason}&rdquo;</p>
          {exception.decision === 'repeat' ? (
            <p data-testid="exception-decision">
              The room decided to redo this step. Once the quorum confirms, the coordinator issues a new attempt whose
              statement names this exception; this attempt stays in the record. It lists {exception.objections.length}{' '}
              objection(s). Confirm only if you agree the step should be repeated.
            </p>
          ) : (
            <p data-testid="exception-decision">
              It resolves {exception.objections.length} objection(s)
              {body.checks.some((c) => !c.ok) ? ' and the failed checks below' : ''}. Confirm only if what the room
              found justifies continuing.
            </p>
          )}
        </div>
      )}
      {!exception && body.retry && (
        <p className="kw-warn" data-testid="retry-statement">
          A new attempt of step {step.id}: the room decided to repeat it, and this statement names that decision. This
          device accepted it only because it saw the repeat exception.
        </p>
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
      {review.referenced.length > 0 && (
        <p className="kw-muted" data-testid="referenced-evidence">
          Checks here compare with earlier evidence, held by this device as the coordinator&apos;s statements recorded
          it: {review.referenced.map((r) => `${r.item.spec.id} (step ${r.step})`).join(', ')}.
        </p>
      )}
      {body.evidence.length > 0 && !review.recomputedAll && (
        <p className="kw-muted">
          The evidence itself did not travel with this statement (the step does not ask witnesses to recompute it); its
          SHA-256 digests are: {body.evidence.map((e) => `${e.id} ${toHex(e.sha256.subarray(0, 8))}…`).join(', ')}.
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
            This step asks for {step.acks.roles.join(', ')}; your role ({session.role}) does not acknowledge it.
          </p>
          <button type="button" onClick={() => go({ at: 'listen' })}>
            Back to scanning
          </button>
        </div>
      ) : (
        <section aria-labelledby="answer-title" className="kw-answer">
          <h2 id="answer-title">Your answer</h2>
          {review.challenge && (
            <WordChallenge
              challenge={review.challenge}
              onAnswer={async (answers) => {
                await session.answerChallenge(answers);
                await reload();
              }}
            />
          )}
          <button
            type="button"
            className="kw-primary"
            disabled={busy || review.refusals.length > 0}
            onClick={() => void answer('confirm')}
          >
            Confirm {exception ? 'the exception' : `step ${step.id}`}
          </button>
          {review.refusals.length > 0 && (
            <p className="kw-muted" data-testid="confirm-refusals">
              Cannot confirm yet: {review.refusals.join('; ')}.
            </p>
          )}
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
          <p className="kw-muted">
            The room may go on without your answer once the step has its quorum.{' '}
            <button type="button" onClick={() => go({ at: 'listen', skip: toHex(review.target.id) })}>
              Not answering now: back to scanning
            </button>
          </p>
        </section>
      )}
    </section>
  );
}

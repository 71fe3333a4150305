/**
 * Participant: the signed answer (journaled already) as a QR code for the coordinator to scan. The
 * screen says in words what was signed — "Your objection to step 3.2, signed" — and what happens
 * next, so the witness who just objected reads what their objection does, not a message type.
 */
import type { SignedMessage } from '../../../src/core/protocol/message.js';
import type { ParticipantSession, Review } from '../../../src/core/session/participant-session.js';
import { ActionBar } from '../../components/ActionBar.js';
import { MessageQr } from '../../components/MessageQr.js';
import type { ParticipantView } from './ParticipantFlow.js';

/** What the answer was to: the statement of a step or the exception recorded at it. */
const answeredWhat = (review: Review): string =>
  review.target.t === 'exception' ? `the exception at step ${review.step.id}` : `step ${review.step.id}`;

export function AnswerScreen({
  session,
  ack,
  review,
  go,
}: {
  session: ParticipantSession;
  ack: SignedMessage<'ack'>;
  /** The review the answer was given in: which step, statement or exception. */
  review: Review;
  go: (v: ParticipantView) => void;
}) {
  const b = ack.envelope.body;
  const objected = b.decision === 'object';
  const what = answeredWhat(review);
  const title = objected ? `Your objection to ${what}, signed` : `Your confirmation of ${what}, signed`;
  return (
    <section
      className="kw-screen"
      aria-labelledby="answer-qr-title"
      data-testid="participant-answer"
      data-decision={b.decision}
    >
      <h1 id="answer-qr-title">{title}</h1>
      <div className="kw-split kw-answer-split">
        <MessageQr
          messages={[ack]}
          label={objected ? `My objection to ${what}, QR code` : `My confirmation of ${what}, QR code`}
          carries={objected ? `your signed objection to ${what}` : `your signed confirmation of ${what}`}
        />
        <div>
          <div data-testid="answer-summary">
            {objected ? (
              <>
                <p>Your reason: &ldquo;{b.reason}&rdquo;</p>
                <p>
                  <strong>Next:</strong> show this code to the coordinator. Step {review.step.id} ({review.step.title})
                  cannot complete while your objection stands: the coordinator records what the room finds as an
                  exception, which this device then shows you to confirm or object to. Your objection stays in the
                  record either way.
                </p>
              </>
            ) : (
              <p>
                <strong>Next:</strong> show this code to the coordinator. The step ({review.step.title}) completes when
                everyone it asks for has answered.
              </p>
            )}
          </div>
          <p>Signed by this device ({session.name}) and stored in its journal; it is part of your receipt.</p>
        </div>
      </div>
      <ActionBar label="Next">
        <button type="button" className="kw-primary" onClick={() => go({ at: 'listen' })}>
          The coordinator has it: scan the next statement
        </button>
      </ActionBar>
    </section>
  );
}

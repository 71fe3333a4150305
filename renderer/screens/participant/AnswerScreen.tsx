/** Participant: the signed answer (journaled already) as a QR code for the coordinator to scan. */
import type { SignedMessage } from '../../../src/core/protocol/message.js';
import type { ParticipantSession } from '../../../src/core/session/participant-session.js';
import { ActionBar } from '../../components/ActionBar.js';
import { MessageQr } from '../../components/MessageQr.js';
import type { ParticipantView } from './ParticipantFlow.js';

export function AnswerScreen({
  session,
  ack,
  go,
}: {
  session: ParticipantSession;
  ack: SignedMessage<'ack'>;
  go: (v: ParticipantView) => void;
}) {
  const b = ack.envelope.body;
  return (
    <section
      className="kw-screen"
      aria-labelledby="answer-qr-title"
      data-testid="participant-answer"
      data-decision={b.decision}
    >
      <h1 id="answer-qr-title">
        {b.decision === 'confirm' ? 'You confirmed' : 'You objected'}: show this to the coordinator
      </h1>
      {b.reason && <p>Your reason: &ldquo;{b.reason}&rdquo;</p>}
      <p>Signed by this device ({session.name}) and stored in its journal; it is part of your receipt.</p>
      <MessageQr messages={[ack]} label="My acknowledgement QR code" />
      <ActionBar label="Next">
        <button type="button" className="kw-primary" onClick={() => go({ at: 'listen' })}>
          The coordinator has it: scan the next statement
        </button>
      </ActionBar>
    </section>
  );
}

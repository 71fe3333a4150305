/**
 * Participant: acknowledge a session event the coordinator shows: an abort, a resume, or a change
 * of who is present (a late join, a departure, a replaced device). The device's session decides
 * whether this device's answer counts and says why not (`EventReview.refusals`); this screen shows
 * what the event says, signs the answer through the session, and shows it as a QR code for the
 * coordinator to scan.
 */
import { useState } from 'react';
import type { SignedMessage } from '../../../src/core/protocol/message.js';
import { spokenWords } from '../../../src/core/protocol/words.js';
import type { EventReview, ParticipantSession } from '../../../src/core/session/participant-session.js';
import { formatTime } from '../../../src/core/util/time-format.js';
import { ActionBar } from '../../components/ActionBar.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { MessageQr } from '../../components/MessageQr.js';
import type { ParticipantView } from './ParticipantFlow.js';

/** The event in the witness's words: what happened, and what confirming it means. */
function describe(target: EventReview['target']): { title: string; says: string; confirm: string } {
  if (target.t === 'abort') {
    const b = target.envelope.body;
    return {
      title: 'The coordinator ABORTS the ceremony',
      says: `Reason: "${b.reason}"${b.step ? ` (at step ${b.step})` : ''}. Once the quorum acknowledges the abort, the session is closed as aborted.`,
      confirm: 'Confirm the abort',
    };
  }
  if (target.t === 'resume') {
    const reason = target.envelope.body.reason;
    return {
      title: 'The ceremony resumes',
      says: `${reason ? `"${reason}". ` : ''}Everyone present confirms the resume before the next statement.`,
      confirm: 'Confirm the resume',
    };
  }
  const b = target.envelope.body;
  const who = spokenWords(b.participant);
  const what =
    b.change === 'join'
      ? `A participant (${who}) joins the ceremony late; their answers count from now on.`
      : b.change === 'leave'
        ? `A participant (${who}) leaves the ceremony; their device's answers are refused from now on.`
        : `A participant's new device (${who}) replaces their old one (${b.replaces ? spokenWords(b.replaces) : 'unknown'}); the old device signs nothing more.`;
  return { title: 'Who is present changes', says: `${what} Reason: "${b.reason}".`, confirm: 'Confirm the change' };
}

/** Review and answer one event; once signed, its QR code. */
export function EventScreen({
  session,
  event,
  go,
}: {
  session: ParticipantSession;
  event: EventReview;
  go: (v: ParticipantView) => void;
}) {
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [ack, setAck] = useState<SignedMessage<'ack'> | undefined>();
  const { title, says, confirm } = describe(event.target);

  const answer = async (object: boolean): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      setAck(object ? await session.object(reason) : await session.confirm());
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  if (ack) {
    const objected = ack.envelope.body.decision === 'object';
    const what = `${objected ? 'objection to' : 'confirmation of'} the ${event.target.t === 'roster' ? 'roster change' : event.target.t}`;
    return (
      <section className="kw-screen" aria-labelledby="event-answer-title" data-testid="participant-event-answer">
        <h1 id="event-answer-title">Your {what}, signed</h1>
        <div className="kw-split kw-answer-split">
          <MessageQr messages={[ack]} label={`My ${what}, QR code`} carries={`your signed ${what}`} />
          <p>
            <strong>Next:</strong> show this code to the coordinator. It is stored in this device&apos;s journal and is
            part of your receipt.
          </p>
        </div>
        <ActionBar label="Next">
          <button type="button" className="kw-primary" onClick={() => go({ at: 'listen' })}>
            The coordinator has it: scan the next statement
          </button>
        </ActionBar>
      </section>
    );
  }
  return (
    <section
      className="kw-screen"
      aria-labelledby="event-title"
      data-testid="participant-event"
      data-event={event.target.t}
    >
      <p className="kw-muted kw-kicker">Signed by the coordinator at {formatTime(event.target.envelope.at)}</p>
      <h1 id="event-title">{title}</h1>
      <p className={event.target.t === 'abort' ? 'kw-bad' : 'kw-notice'} data-testid="event-says">
        {says}
      </p>
      <p className="kw-muted">Acknowledged by {event.quorum}.</p>
      {!event.eligible ? (
        <div className="kw-notice">
          <p>{event.refusals.join('; ')}.</p>
          <button type="button" onClick={() => go({ at: 'listen' })}>
            Back to scanning
          </button>
        </div>
      ) : (
        <section aria-labelledby="event-answer" className="kw-answer">
          <h2 id="event-answer">Your answer</h2>
          <button
            type="button"
            className="kw-primary"
            disabled={busy || event.refusals.length > 0}
            onClick={() => void answer(false)}
          >
            {confirm}
          </button>
          {event.refusals.length > 0 && <p className="kw-muted">Cannot confirm: {event.refusals.join('; ')}.</p>}
          <div className="kw-field">
            <label htmlFor="event-object-reason">Or object, saying why</label>
            <textarea id="event-object-reason" rows={2} value={reason} onChange={(e) => setReason(e.target.value)} />
          </div>
          <button
            type="button"
            className="kw-danger"
            disabled={busy || reason.trim() === ''}
            onClick={() => void answer(true)}
          >
            Object
          </button>
          <ErrorNotice error={error} title="Your answer was not signed" />
        </section>
      )}
    </section>
  );
}

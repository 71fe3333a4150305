/**
 * Coordinator: a session event the room acknowledges (an abort, a resume, a roster change) shown as
 * one QR loop, with the acknowledgements scanned back and core's count of them. Whose answer counts
 * and when the event is complete is core's (session/room.ts `eventCompletion`, `mayAnswer`): this
 * screen lists them. What comes after (the close of an aborted session) is passed in as children.
 */
import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { SignedMessage } from '../../../src/core/protocol/message.js';
import { spokenWords } from '../../../src/core/protocol/words.js';
import { eventCompletion, mayAnswer, type EventTarget } from '../../../src/core/session/room.js';
import { coordinatorScanVerifier } from '../../../src/core/session/scan-verifiers.js';
import { toHex } from '../../../src/core/util/bytes.js';
import { formatTime } from '../../../src/core/util/time-format.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { MessageQr } from '../../components/MessageQr.js';
import { ScannerPanel } from '../../components/ScannerPanel.js';
import type { CoordinatorSession } from '../../session/coordinator-session.js';

/** The event's kind in the room's words, for headings and the QR label. */
export function eventTitle(message: SignedMessage<'abort' | 'resume' | 'roster'>): string {
  if (message.t === 'abort') return 'Abort of the ceremony';
  if (message.t === 'resume') return 'Resume of the ceremony';
  const b = message.envelope.body;
  return b.change === 'join' ? 'Late enrolment' : b.change === 'leave' ? 'A participant leaves' : 'Device replaced';
}

/** The event's acknowledgement screen: its QR code, the scanner, and who has answered. */
export function EventAcks({
  session,
  event,
  refresh,
  children,
}: {
  session: CoordinatorSession;
  event: EventTarget;
  refresh: () => void;
  children?: ReactNode;
}) {
  const { coordinator } = session;
  const { participants } = coordinator.state;
  const message = event.message;
  const [shown, setShown] = useState<readonly SignedMessage[] | undefined>();
  const [error, setError] = useState<unknown>();
  const [last, setLast] = useState<string | undefined>();
  const key = toHex(message.id);

  useEffect(() => {
    let live = true;
    session
      .run((c) => c.transmission())
      .then(
        (loop) => live && setShown(loop),
        (e: unknown) => live && setError(e),
      );
    return () => {
      live = false;
    };
  }, [session, key]);

  const verify = useMemo(() => coordinatorScanVerifier(coordinator.state), [coordinator]);
  const onMessage = useCallback(
    (wire: Uint8Array, scanDelayMs: number) => {
      session
        .run((c) => c.receive(wire, { scanDelayMs }))
        .then(
          (r) => {
            setError(undefined);
            const who = participants.get(toHex(r.message.envelope.by))?.name ?? 'participant';
            const decision = r.message.t === 'ack' ? r.message.envelope.body.decision : undefined;
            setLast(
              r.status === 'duplicate'
                ? `Already recorded: ${who}'s answer.`
                : `Recorded: ${who} ${decision === 'object' ? 'OBJECTED' : 'confirmed'}.`,
            );
            refresh();
          },
          (e: unknown) => {
            setError(e);
            setLast(undefined);
          },
        );
    },
    [session, participants, refresh],
  );

  const completion = eventCompletion(event, participants);
  const title = eventTitle(message);
  const answering = [...participants.entries()].filter(([fp, p]) => mayAnswer(event.quorum, fp, p));
  return (
    <section className="kw-screen" aria-labelledby="event-title" data-testid="event-acks" data-event={message.t}>
      <p className="kw-muted kw-kicker">Signed by the coordinator {formatTime(message.envelope.at)}</p>
      <h1 id="event-title">{title}</h1>
      <EventSummary message={message} participants={participants} />
      <p className={completion.complete ? 'kw-ok' : undefined} data-testid="event-completion">
        {completion.complete
          ? `${completion.confirmations} of ${completion.needed} confirmations from ${event.quorum.description}: complete.`
          : `Waiting: ${completion.missing}.`}
      </p>
      <div className="kw-two">
        <div>
          <h2>Show it to the room</h2>
          {shown ? <MessageQr messages={shown} label={`${title}, QR code`} /> : <p>Preparing the code…</p>}
        </div>
        <div className="kw-acks-side">
          <h2>Scan each acknowledgement</h2>
          <ScannerPanel
            active
            verify={verify}
            sessionId={message.envelope.sid}
            onMessage={onMessage}
            title="Camera: acknowledgement QR codes"
          />
          {last && (
            <p className="kw-ok" role="status" data-testid="ack-status">
              {last}
            </p>
          )}
          <ErrorNotice error={error} title="Acknowledgement refused" onDismiss={() => setError(undefined)} />
        </div>
      </div>
      <table className="kw-table" data-testid="event-quorum">
        <thead>
          <tr>
            <th scope="col">Participant</th>
            <th scope="col">Answer</th>
          </tr>
        </thead>
        <tbody>
          {answering.map(([fp, p]) => {
            const ack = event.acks.get(fp);
            const b = ack?.envelope.body;
            return (
              <tr key={fp} data-participant={p.name}>
                <th scope="row">
                  {p.name}{' '}
                  <span className="kw-muted">
                    ({p.role}, {spokenWords(p.identity.fingerprint)})
                  </span>
                </th>
                <td className={!b ? undefined : b.decision === 'confirm' ? 'kw-pass' : 'kw-fail'}>
                  {!ack || !b ? 'waiting' : b.decision === 'confirm' ? 'CONFIRMED' : `OBJECTED: "${b.reason ?? ''}"`}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {children}
    </section>
  );
}

/** What the event says: the reason, and for a roster change whom it concerns. */
function EventSummary({
  message,
  participants,
}: {
  message: SignedMessage<'abort' | 'resume' | 'roster'>;
  participants: CoordinatorSession['coordinator']['state']['participants'];
}) {
  if (message.t === 'abort')
    return (
      <p className="kw-bad" data-testid="event-reason">
        ABORTED{message.envelope.body.step ? ` at step ${message.envelope.body.step}` : ''}: &ldquo;
        {message.envelope.body.reason}&rdquo;. The quorum acknowledges the abort; then the session is closed as aborted.
      </p>
    );
  if (message.t === 'resume')
    return (
      <p data-testid="event-reason">
        The ceremony resumes{message.envelope.body.reason ? `: "${message.envelope.body.reason}"` : ''}. Every
        participant present re-scans this code and confirms before the next statement.
      </p>
    );
  const b = message.envelope.body;
  const subject = participants.get(toHex(b.participant));
  const old = b.replaces ? participants.get(toHex(b.replaces)) : undefined;
  const who = subject ? `${subject.name} (${subject.role})` : 'a participant';
  const what =
    b.change === 'join'
      ? `${who} joins the ceremony; their acknowledgements count from now on.`
      : b.change === 'leave'
        ? `${who} leaves the ceremony; answers from their device are refused from now on.`
        : `${who}'s new device (${subject ? spokenWords(subject.identity.fingerprint) : ''}) replaces ${old ? spokenWords(old.identity.fingerprint) : 'their old device'}; the old device signs nothing more.`;
  return (
    <p data-testid="event-reason">
      {what} Reason: &ldquo;{b.reason}&rdquo;. The room acknowledges it (not counting {subject?.name ?? 'them'}).
    </p>
  );
}

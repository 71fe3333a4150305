/**
 * Participant: point the camera at the coordinator's screen. Each released message goes to the
 * device's session, which keeps what it accepts and says what the room is answering now and what
 * it still waits for; once a review is ready for this device's role, the review screen opens.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import { participantScanVerifier } from '../../../src/core/session/scan-verifiers.js';
import type { NextAction, ParticipantSession } from '../../../src/core/session/participant-session.js';
import { toHex } from '../../../src/core/util/bytes.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { ScannerPanel } from '../../components/ScannerPanel.js';
import type { ParticipantView } from './ParticipantFlow.js';

function Status({ action, go }: { action: NextAction | undefined; go: (v: ParticipantView) => void }) {
  if (!action) return null;
  switch (action.kind) {
    case 'waiting':
      return (
        <p role="status" data-testid="listen-waiting">
          {action.target?.t === 'statement' || action.target?.t === 'exception'
            ? `Step ${action.target.envelope.body.step}: `
            : ''}
          waiting for {action.waitingFor.join('; ')}. Keep the camera on the code.
        </p>
      );
    case 'refused':
      return (
        <p className="kw-bad" role="alert" data-testid="listen-refused">
          This device refuses what the coordinator shows now: {action.reason}. Do not proceed; tell the room.
        </p>
      );
    case 'review':
      return (
        <div className="kw-notice" data-testid="listen-watch">
          <p>
            Step {action.review.step.id}, {action.review.step.title}: the step asks for{' '}
            {action.review.step.acks.roles.join(', ')}
            {action.review.eligible ? '; you chose not to answer it for now.' : '; your role watches.'}
          </p>
          <button type="button" onClick={() => go({ at: 'review', review: action.review })}>
            {action.review.eligible
              ? `Answer step ${action.review.step.id} after all`
              : `See what this device recomputed for step ${action.review.step.id}`}
          </button>
        </div>
      );
    case 'suspended':
      return (
        <p role="status" data-testid="listen-suspended">
          The session is suspended: {action.suspend.envelope.body.reason}. There is nothing to sign until the
          coordinator resumes it.
        </p>
      );
    case 'acknowledge':
      return (
        <p role="status" data-testid="listen-acknowledge">
          The coordinator shows{' '}
          {action.event.target.t === 'abort'
            ? 'an abort'
            : action.event.target.t === 'resume'
              ? 'a resume'
              : `a change of who is present (${action.event.target.envelope.body.change}: ${action.event.target.envelope.body.reason})`}
          ; it is acknowledged by {action.event.quorum}.
        </p>
      );
    case 'absent': // said under the heading, first
    case 'enrol':
    case 'attest':
    case 'closed':
      return null;
  }
}

export function ListenScreen({
  session,
  go,
  skip,
}: {
  session: ParticipantSession;
  go: (v: ParticipantView) => void;
  /** A target the witness chose not to answer: its review does not reopen by itself. */
  skip?: string | undefined;
}) {
  const verify = useMemo(() => participantScanVerifier(session), [session]);
  const [action, setAction] = useState<NextAction | undefined>();
  const [error, setError] = useState<unknown>();

  const refresh = useCallback(async (): Promise<void> => {
    const next = await session.next();
    setAction(next);
    if (next.kind === 'review' && next.review.eligible && toHex(next.review.target.id) !== skip)
      go({ at: 'review', review: next.review });
    if (next.kind === 'acknowledge' && next.event.eligible) go({ at: 'event', event: next.event });
    if (next.kind === 'attest' || next.kind === 'closed') go({ at: 'attest' });
    if (next.kind === 'enrol') go({ at: 'enrol' });
  }, [session, go, skip]);

  useEffect(() => {
    refresh().catch(setError);
  }, [refresh]);

  const onMessage = useCallback(
    (wire: Uint8Array) => {
      session
        .receive(wire)
        .then(() => refresh())
        .catch((e: unknown) => setError(e));
    },
    [session, refresh],
  );

  return (
    <section className="kw-screen" aria-labelledby="listen-title" data-testid="participant-listen">
      {action?.kind === 'absent' ? (
        <>
          <h1 id="listen-title">
            {action.roster.envelope.body.change === 'replace'
              ? 'This device was replaced: it signs nothing more'
              : 'You left the ceremony: this device signs nothing more'}
          </h1>
          <p className="kw-bad" role="status" data-testid="listen-absent">
            {action.reason}.
          </p>
        </>
      ) : action?.kind === 'suspended' ? (
        <>
          <h1 id="listen-title">The ceremony is suspended: nothing to sign</h1>
          <p className="kw-warn" data-testid="suspended-reason">
            &ldquo;{action.suspend.envelope.body.reason}&rdquo;. This device signs nothing until the coordinator resumes
            the ceremony; then scan the resume and confirm it. Its journal keeps everything so far.
          </p>
        </>
      ) : (
        <>
          <h1 id="listen-title">Scan the coordinator&apos;s screen</h1>
          <p>
            Hold the camera on the statement QR code until it and its evidence are complete. This device checks the
            signature and recomputes everything itself.
          </p>
        </>
      )}
      <ScannerPanel
        active
        verify={verify}
        sessionId={session.sessionId}
        onMessage={onMessage}
        title="Camera: statements, exceptions and the close"
      />
      <Status action={action} go={go} />
      <ErrorNotice error={error} title="This device refused the message" onDismiss={() => setError(undefined)} />
    </section>
  );
}

/**
 * Coordinator: a step whose statement is issued. The statement (with its evidence as signed blobs
 * when witnesses must recompute) loops as an animated QR code; acknowledgements are scanned,
 * checked by the session rules and journaled; an objection or a failed check blocks the step until
 * an exception is signed, shown and acknowledged.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { ExceptionDecision } from '../../../src/core/protocol/bodies.js';
import type { SignedMessage } from '../../../src/core/protocol/message.js';
import type { StepProgress } from '../../../src/core/session/completion.js';
import { equalBytes, toHex } from '../../../src/core/util/bytes.js';
import { formatTime } from '../../../src/core/util/time-format.js';
import { CheckTable } from '../../components/CheckTable.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { PrimaryFingerprint } from '../../components/EvidenceView.js';
import { MessageQr } from '../../components/MessageQr.js';
import { ScannerPanel } from '../../components/ScannerPanel.js';
import type { CoordinatorSession } from '../../session/coordinator-session.js';
import { coordinatorScanVerifier } from '../../../src/core/session/scan-verifiers.js';
import { QuorumView } from './QuorumView.js';
import { AttemptHistory, RepeatForm } from './StepRepeat.js';

export function StepAcks({
  session,
  progress,
  position,
  refresh,
}: {
  session: CoordinatorSession;
  progress: StepProgress;
  position: string;
  refresh: () => void;
}) {
  const { coordinator } = session;
  const statement = progress.statement?.message;
  if (!statement) throw new Error('StepAcks is shown only for a step whose statement was issued');
  const step = progress.spec;
  const [shown, setShown] = useState<readonly SignedMessage[] | undefined>();
  const [error, setError] = useState<unknown>();
  const [last, setLast] = useState<string | undefined>();
  const [reason, setReason] = useState('');
  const [decision, setDecision] = useState<ExceptionDecision>('proceed');
  const [busy, setBusy] = useState(false);
  const target = coordinator.currentTarget();

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
  }, [session, target]);

  const verify = useMemo(() => coordinatorScanVerifier(coordinator.state), [coordinator]);
  const onMessage = useCallback(
    (wire: Uint8Array) => {
      session
        .run((c) => c.receive(wire))
        .then(
          (r) => {
            setError(undefined);
            const who = coordinator.state.participants.get(toHex(r.message.envelope.by));
            const decision = r.message.t === 'ack' ? r.message.envelope.body.decision : undefined;
            setLast(
              r.status === 'duplicate'
                ? `Already recorded: ${who?.name ?? 'this participant'}'s answer.`
                : `Recorded: ${who?.name ?? 'participant'} ${decision === 'object' ? 'OBJECTED' : 'confirmed'}.`,
            );
            refresh();
          },
          (e: unknown) => {
            setError(e);
            setLast(undefined);
          },
        );
    },
    [session, coordinator, refresh],
  );

  // The statement's evidence as this session recorded it, for the room to compare its fingerprint.
  const evidence = useMemo(() => {
    const held = coordinator.bundle().evidence;
    return statement.envelope.body.evidence.flatMap((ref) => {
      const spec = step.evidence.find((e) => e.id === ref.id);
      const bytes = held.find((e) => equalBytes(e.sha256, ref.sha256))?.data;
      return spec && bytes ? [{ spec, bytes, name: ref.name }] : [];
    });
  }, [coordinator, statement, step]);

  const completion = coordinator.currentCompletion();
  if (!completion) throw new Error('StepAcks is shown only while a step is in progress');
  const exception = progress.exceptions.at(-1)?.message;
  const objections = [...(progress.statement?.acks.values() ?? [])].filter(
    (a) => a.envelope.body.decision === 'object',
  );
  const failed = statement.envelope.body.checks.filter((c) => !c.ok);

  const signException = async (): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      await session.run((c) => c.issueException(reason.trim(), decision));
      setReason('');
      setDecision('proceed');
      refresh();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="kw-screen" aria-labelledby="acks-title" data-testid="step-acks" data-step={step.id}>
      <p className="kw-muted kw-kicker">
        Step {position}: statement signed {formatTime(statement.envelope.at)}
      </p>
      <h1 id="acks-title">
        Step {step.id}: {step.title}
      </h1>
      <div className="kw-two">
        <div>
          <h2>{exception ? 'Show the exception to the witnesses' : 'Show the statement to the witnesses'}</h2>
          {shown ? (
            <MessageQr
              messages={shown}
              label={exception ? `Exception for step ${step.id}` : `Statement for step ${step.id}`}
            />
          ) : (
            <p>Preparing the evidence for transfer…</p>
          )}
        </div>
        <div className="kw-acks-side">
          <h2>Scan each acknowledgement</h2>
          <ScannerPanel
            active
            verify={verify}
            sessionId={statement.envelope.sid}
            onMessage={onMessage}
            title="Camera: acknowledgement QR codes"
          />
          {last && (
            <p className="kw-ok" role="status" data-testid="ack-status">
              {last}
            </p>
          )}
          <ErrorNotice error={error} title="Acknowledgement refused" onDismiss={() => setError(undefined)} />
          {evidence.map((e) => (
            <PrimaryFingerprint key={e.spec.id} spec={e.spec} bytes={e.bytes} name={e.name} />
          ))}
        </div>
      </div>
      <QuorumView progress={progress} participants={coordinator.state.participants} completion={completion} />
      <CheckTable checks={statement.envelope.body.checks} caption="Checks in the statement" />
      {completion.blocked && (
        <section className="kw-exception" aria-labelledby="exception-title" data-testid="exception-panel">
          <h2 id="exception-title">This step is blocked</h2>
          {failed.length > 0 && <p>Failed checks: {failed.map((c) => c.id).join(', ')}.</p>}
          {objections.map((o) => {
            const who = coordinator.state.participants.get(toHex(o.envelope.by));
            return (
              <p key={toHex(o.id)} className="kw-bad" data-testid="objection">
                <strong>{who?.name ?? 'A participant'} objected:</strong> &ldquo;{o.envelope.body.reason}&rdquo;
              </p>
            );
          })}
          {exception && (
            <p>
              Exception signed
              {exception.envelope.body.decision === 'repeat' ? ', deciding to REPEAT the step' : ''}: &ldquo;
              {exception.envelope.body.reason}&rdquo;. The witnesses now scan it and confirm or object.
            </p>
          )}
          {completion.exceptionNeeded && (
            <>
              <p>
                Resolve it in the room, then record what was found and decided as an exception. The witnesses must
                acknowledge it for the step to complete; the objection stays in the record.
              </p>
              {step.repeatable ? (
                <fieldset className="kw-field" data-testid="exception-decision">
                  <legend>What the room decided</legend>
                  <label>
                    <input
                      type="radio"
                      name="exception-decision"
                      checked={decision === 'proceed'}
                      onChange={() => setDecision('proceed')}
                    />{' '}
                    Proceed: the step stands as it is
                  </label>
                  <label>
                    <input
                      type="radio"
                      name="exception-decision"
                      checked={decision === 'repeat'}
                      onChange={() => setDecision('repeat')}
                    />{' '}
                    Repeat the step: a new attempt follows, this one stays in the record
                  </label>
                </fieldset>
              ) : (
                <p className="kw-muted">The script says step {step.id} may not be repeated.</p>
              )}
              <div className="kw-field">
                <label htmlFor="exception-reason">Exception: what was found and what the room decided</label>
                <textarea id="exception-reason" rows={4} value={reason} onChange={(e) => setReason(e.target.value)} />
              </div>
              <button
                type="button"
                className="kw-primary"
                disabled={busy || reason.trim() === ''}
                onClick={() => void signException()}
              >
                Sign the exception and show it
              </button>
            </>
          )}
        </section>
      )}
      {!completion.blocked && step.repeatable && <RepeatForm session={session} refresh={refresh} />}
      <AttemptHistory progress={progress} />
    </section>
  );
}

/**
 * Participant: point the camera at the coordinator's screen. Statements, exceptions, evidence
 * blobs and the close arrive signature-checked under the coordinator's key; once a statement (or
 * exception) and every blob its step needs are in, this device reviews them itself.
 */
import { useCallback, useMemo, useRef, useState } from 'react';
import { decodeMessage, type SignedMessage } from '../../../src/core/protocol/message.js';
import { equalBytes, toHex } from '../../../src/core/util/bytes.js';
import { sha256 } from '../../../src/core/util/hash.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { ScannerPanel } from '../../components/ScannerPanel.js';
import type { ParticipantSession } from '../../session/participant-session.js';
import { participantVerifier } from '../../session/verify.js';
import type { ParticipantView } from './ParticipantFlow.js';

export function ListenScreen({ session, go }: { session: ParticipantSession; go: (v: ParticipantView) => void }) {
  const genesis = session.device.genesis!;
  const verify = useMemo(() => participantVerifier(genesis), [genesis]);
  const pool = useRef(new Map<string, SignedMessage>());
  const [waiting, setWaiting] = useState<string | undefined>();
  const [error, setError] = useState<unknown>();
  const answered = useMemo(
    () =>
      new Set(
        session.signed.flatMap((m) =>
          m.envelope.t === 'ack' ? [toHex((m as SignedMessage<'ack'>).envelope.body.ref)] : [],
        ),
      ),
    [session],
  );

  const tryReview = useCallback(async (): Promise<void> => {
    const all = [...pool.current.values()];
    const close = all.find((m) => m.envelope.t === 'close');
    if (close) {
      go({ at: 'attest', close: close.wire });
      return;
    }
    // The newest unanswered exception or statement is what the room is answering now.
    const targets = all
      .filter((m) => (m.envelope.t === 'statement' || m.envelope.t === 'exception') && !answered.has(toHex(m.id)))
      .sort((a, b) => b.envelope.at - a.envelope.at);
    const target = targets[0];
    if (!target) return;
    const statement =
      target.envelope.t === 'exception'
        ? (all.find(
            (m) =>
              m.envelope.t === 'statement' &&
              equalBytes(m.id, (target as SignedMessage<'exception'>).envelope.body.ref),
          ) as SignedMessage<'statement'> | undefined)
        : (target as SignedMessage<'statement'>);
    if (!statement) {
      setWaiting('the statement this exception concerns');
      return;
    }
    const step = session.script.steps[statement.envelope.body.n];
    const blobs = all.filter((m) => m.envelope.t === 'blob');
    const related: Uint8Array[] = target === statement ? [] : [statement.wire];
    if (step?.acks.recompute) {
      for (const ref of statement.envelope.body.evidence) {
        const blob = blobs.find((b) => equalBytes(sha256((b as SignedMessage<'blob'>).envelope.body.data), ref.sha256));
        if (!blob) {
          setWaiting(`evidence "${ref.id}" (${ref.name})`);
          return;
        }
        related.push(blob.wire);
      }
    }
    try {
      const review = await session.device.review(target.wire, related);
      go({ at: 'review', review, related });
    } catch (e) {
      setError(e);
      pool.current.delete(toHex(target.id));
    }
  }, [session, go, answered]);

  const onMessage = useCallback(
    (wire: Uint8Array) => {
      const m = decodeMessage(wire);
      pool.current.set(toHex(m.id), m);
      void tryReview();
    },
    [tryReview],
  );

  return (
    <section className="kw-screen" aria-labelledby="listen-title" data-testid="participant-listen">
      <h1 id="listen-title">Scan the coordinator&apos;s screen</h1>
      <p>
        Hold the camera on the statement QR code until it and its evidence are complete. This device checks the
        signature and recomputes everything itself.
      </p>
      <ScannerPanel
        active
        verify={verify}
        sessionId={genesis.envelope.sid}
        onMessage={onMessage}
        title="Camera: statements, exceptions and the close"
      />
      {waiting && (
        <p role="status" data-testid="listen-waiting">
          Received the statement; still waiting for {waiting}. Keep the camera on the code.
        </p>
      )}
      <ErrorNotice error={error} title="This device refused the message" onDismiss={() => setError(undefined)} />
    </section>
  );
}

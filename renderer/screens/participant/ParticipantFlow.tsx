/**
 * A witness's or custodian's workflow (DESIGN §2 steps 3–6) on their own device: join with this
 * device's copy of the script, enrol, then for each statement scan, recompute, compare and answer;
 * finally attest and export the receipt. The device trusts only its own script and the bytes it
 * scanned (trust rule 1).
 */
import { useCallback, useEffect, useState } from 'react';
import type { Signer } from '../../../src/core/protocol/identity.js';
import type { SignedMessage } from '../../../src/core/protocol/message.js';
import type { Review } from '../../../src/core/session/participant.js';
import { useApp } from '../../app/context.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { loadOrCreateIdentity } from '../../session/device.js';
import { restoreParticipantSession, type ParticipantSession } from '../../session/participant-session.js';
import { JoinScreen } from './JoinScreen.js';
import { EnrolScreen } from './EnrolScreen.js';
import { ListenScreen } from './ListenScreen.js';
import { ReviewScreen } from './ReviewScreen.js';
import { AnswerScreen } from './AnswerScreen.js';
import { AttestScreen } from './AttestScreen.js';

export type ParticipantView =
  | { readonly at: 'enrol' }
  | { readonly at: 'listen' }
  | { readonly at: 'review'; readonly review: Review; readonly related: readonly Uint8Array[] }
  | { readonly at: 'answered'; readonly ack: SignedMessage<'ack'> }
  | { readonly at: 'attest'; readonly close: Uint8Array };

export function ParticipantFlow({ resume }: { resume: string | undefined }) {
  const { setSessionMode } = useApp();
  const [signer, setSigner] = useState<Signer | undefined>();
  const [session, setSession] = useState<ParticipantSession | undefined>();
  const [view, setView] = useState<ParticipantView>({ at: 'enrol' });
  const [error, setError] = useState<unknown>();
  const [notice, setNotice] = useState<string | undefined>();

  useEffect(() => {
    let live = true;
    (async () => {
      try {
        const { signer: s } = await loadOrCreateIdentity();
        if (!live) return;
        setSigner(s);
        if (resume) {
          const restored = await restoreParticipantSession(resume, s);
          if (!live) return;
          setSession(restored);
          setView(restored.signed.some((m) => m.envelope.t === 'enroll') ? { at: 'listen' } : { at: 'enrol' });
          setNotice(
            `Session restored from this device's journal: ${restored.signed.length} signed message(s) replayed and checked${restored.droppedTailBytes > 0 ? `; ${restored.droppedTailBytes} bytes of an unfinished write were dropped` : ''}. Scan the coordinator's current statement again.`,
          );
        }
      } catch (e) {
        if (live) setError(e);
      }
    })();
    return () => {
      live = false;
    };
  }, [resume]);

  useEffect(() => {
    setSessionMode(session?.device.genesis?.envelope.body.mode);
  }, [session, view, setSessionMode]);

  const go = useCallback((v: ParticipantView) => setView(v), []);

  if (error)
    return (
      <section className="kw-screen">
        <h1>Participant</h1>
        <ErrorNotice error={error} title="This device's session could not be opened" />
      </section>
    );
  if (!signer)
    return (
      <section className="kw-screen">
        <h1>Participant</h1>
        <p>Loading this device&apos;s identity…</p>
      </section>
    );
  if (!session)
    return (
      <JoinScreen
        signer={signer}
        onJoined={(s) => {
          setSession(s);
          setView({ at: 'enrol' });
        }}
      />
    );
  return (
    <>
      {notice && (
        <p className="kw-notice" role="status" data-testid="restore-notice">
          {notice}
        </p>
      )}
      {view.at === 'enrol' && <EnrolScreen session={session} signer={signer} go={go} />}
      {view.at === 'listen' && <ListenScreen session={session} go={go} />}
      {view.at === 'review' && (
        <ReviewScreen
          key={view.review.target.id.join(',')}
          session={session}
          review={view.review}
          related={view.related}
          go={go}
        />
      )}
      {view.at === 'answered' && <AnswerScreen session={session} ack={view.ack} go={go} />}
      {view.at === 'attest' && <AttestScreen session={session} closeWire={view.close} />}
    </>
  );
}

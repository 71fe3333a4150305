/**
 * A witness's or custodian's workflow on their own device: join with this device's copy of the
 * script, enrol, then for each statement scan, recompute, compare and answer; finally attest and
 * export the receipt. Every decision is core's (ParticipantSession): this flow only chooses which
 * screen shows the session's current view.
 */
import { useCallback, useEffect, useState } from 'react';
import type { Signer } from '../../../src/core/protocol/identity.js';
import type { SignedMessage } from '../../../src/core/protocol/message.js';
import type { EventReview, ParticipantSession, Review } from '../../../src/core/session/participant-session.js';
import { useApp } from '../../app/context.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { loadOrCreateIdentity } from '../../session/device.js';
import { restoreParticipantSession } from '../../session/participant-session.js';
import { JoinScreen } from './JoinScreen.js';
import { EnrolScreen } from './EnrolScreen.js';
import { ListenScreen } from './ListenScreen.js';
import { ReviewScreen } from './ReviewScreen.js';
import { AnswerScreen } from './AnswerScreen.js';
import { AttestScreen } from './AttestScreen.js';
import { EventScreen } from './EventScreen.js';

export type ParticipantView =
  | { readonly at: 'enrol' }
  /** `skip`: a target (id hex) the witness chose not to answer, so scanning does not reopen its review. */
  | { readonly at: 'listen'; readonly skip?: string }
  | { readonly at: 'review'; readonly review: Review }
  | { readonly at: 'answered'; readonly ack: SignedMessage<'ack'>; readonly review: Review }
  | { readonly at: 'event'; readonly event: EventReview }
  | { readonly at: 'attest' };

export function ParticipantFlow({ resume }: { resume: string | undefined }) {
  const { setSessionMode } = useApp();
  const [signer, setSigner] = useState<Signer | undefined>();
  const [session, setSession] = useState<ParticipantSession | undefined>();
  const [view, setView] = useState<ParticipantView>({ at: 'enrol' });
  const [error, setError] = useState<unknown>();
  const [notice, setNotice] = useState<string | undefined>();

  useEffect(() => {
    let live = true;
    void (async () => {
      try {
        const { signer: s } = await loadOrCreateIdentity();
        if (!live) return;
        setSigner(s);
        if (!resume) return;
        const restored = await restoreParticipantSession(resume, s);
        if (!live) return;
        setSession(restored.session);
        setView(restored.session.enrolment ? { at: 'listen' } : { at: 'enrol' });
        const dropped =
          restored.droppedTailBytes > 0
            ? `; ${restored.droppedTailBytes} bytes of an unfinished write were dropped`
            : '';
        setNotice(
          `Session restored from this device's journal: ${restored.records} record(s) replayed and checked, ${restored.session.signed.length} signed message(s)${dropped}.`,
        );
      } catch (e) {
        if (live) setError(e);
      }
    })();
    return () => {
      live = false;
    };
  }, [resume]);

  useEffect(() => {
    setSessionMode(session?.genesis.envelope.body.mode);
  }, [session, setSessionMode]);

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
      {view.at === 'enrol' && <EnrolScreen session={session} go={go} />}
      {view.at === 'listen' && <ListenScreen session={session} go={go} skip={view.skip} />}
      {view.at === 'review' && (
        <ReviewScreen key={view.review.target.id.join(',')} session={session} initial={view.review} go={go} />
      )}
      {view.at === 'answered' && <AnswerScreen session={session} ack={view.ack} review={view.review} go={go} />}
      {view.at === 'event' && (
        <EventScreen key={view.event.target.id.join(',')} session={session} event={view.event} go={go} />
      )}
      {view.at === 'attest' && <AttestScreen session={session} />}
    </>
  );
}

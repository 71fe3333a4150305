/**
 * Participant: the genesis was accepted (its script hash equals this device's copy). Sign the
 * enrolment, show it for the coordinator to scan, and read the first four fingerprint words aloud.
 */
import { useState } from 'react';
import type { SignedMessage } from '../../../src/core/protocol/message.js';
import { spokenWords } from '../../../src/core/protocol/words.js';
import { fromHex } from '../../../src/core/util/bytes.js';
import type { ParticipantSession } from '../../../src/core/session/participant-session.js';
import { ActionBar } from '../../components/ActionBar.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { HashView } from '../../components/HashView.js';
import { MessageQr } from '../../components/MessageQr.js';
import type { ParticipantView } from './ParticipantFlow.js';

export function EnrolScreen({ session, go }: { session: ParticipantSession; go: (v: ParticipantView) => void }) {
  const { genesis } = session;
  const g = genesis.envelope.body;
  const [enrol, setEnrol] = useState<SignedMessage<'enroll'> | undefined>(session.enrolment);
  const [error, setError] = useState<unknown>();
  const [replaces, setReplaces] = useState('');
  const sign = async (): Promise<void> => {
    setError(undefined);
    try {
      const old = replaces.replace(/\s+/g, '');
      setEnrol(await session.enroll(old === '' ? {} : { replaces: fromHex(old) }));
    } catch (e) {
      setError(e);
    }
  };
  const facts = (
    <>
      <p className="kw-ok" data-testid="genesis-ok">
        The session&apos;s script hash matches this device&apos;s copy of the script. The coordinator, {g.name}, signed
        the genesis with the key starting{' '}
        <strong className="kw-words-strong">{spokenWords(genesis.envelope.by)}</strong>.
      </p>
      <p>
        Session kind: <strong>{g.mode === 'rehearsal' ? 'REHEARSAL' : 'PRODUCTION'}</strong>. You enrol as{' '}
        <strong>{session.name}</strong>, role <strong>{session.role}</strong>.
      </p>
    </>
  );
  return (
    <section className="kw-screen" aria-labelledby="penrol-title" data-testid="participant-enrol">
      <h1 id="penrol-title">Joined: {session.script.title}</h1>
      {!enrol && (
        <>
          {facts}
          <details data-testid="enrol-replaces">
            <summary>This device replaces my earlier device in this session…</summary>
            <div className="kw-field">
              <label htmlFor="replaces">
                The earlier device&apos;s key fingerprint (64 hex digits, from your receipt or the coordinator&apos;s
                enrolment list); same name and role
              </label>
              <input id="replaces" value={replaces} onChange={(e) => setReplaces(e.target.value)} />
            </div>
          </details>
          <button type="button" className="kw-primary" onClick={() => void sign()}>
            {replaces.trim() === ''
              ? 'Sign my enrolment and show it'
              : 'Sign my enrolment as the replacement and show it'}
          </button>
        </>
      )}
      <ErrorNotice error={error} />
      {enrol && (
        <>
          {/* The code and the words first, so both are in view; what was checked follows the words. */}
          <div className="kw-two">
            <MessageQr messages={[enrol]} label="My enrolment QR code" />
            <div>
              <h2>Read these four words aloud</h2>
              <p className="kw-words-huge" data-testid="enrol-words">
                {spokenWords(session.fingerprint)}
              </p>
              {facts}
              <HashView
                bytes={session.fingerprint}
                label="This device's key fingerprint (all 32 words)"
                size="normal"
              />
            </div>
          </div>
          <ActionBar label="Next">
            <button type="button" className="kw-primary" onClick={() => go({ at: 'listen' })}>
              The coordinator has my enrolment: scan the statements
            </button>
          </ActionBar>
        </>
      )}
    </section>
  );
}

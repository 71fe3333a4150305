/**
 * Participant, the end: the closing attestation as one choice between two answers — "I agree"
 * (present throughout, script followed, a true record) or "I do not agree", which needs a reason —
 * never a disagreement box beside agreement boxes; then the receipt of everything this device
 * signed, exported to removable media for the auditor.
 */
import { useState } from 'react';
import type { SignedMessage } from '../../../src/core/protocol/message.js';
import { encodeReceipt, receiptFileName } from '../../../src/core/session/files.js';
import type { ParticipantSession } from '../../../src/core/session/participant-session.js';
import { bridge, unwrap, type ExportResult } from '../../bridge/api.js';
import { ActionBar } from '../../components/ActionBar.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { MessageQr } from '../../components/MessageQr.js';

const STATEMENTS = [
  'I was present throughout the ceremony.',
  'The ceremony followed the script, except where an exception records otherwise.',
  'The session record is a true record of what happened.',
];

export function AttestScreen({ session }: { session: ParticipantSession }) {
  const [choice, setChoice] = useState<'agree' | 'disagree' | undefined>();
  const disagree = choice === 'disagree';
  const [reason, setReason] = useState('');
  const [attest, setAttest] = useState<SignedMessage<'attest'> | undefined>(session.attestation);
  const [exported, setExported] = useState<Extract<ExportResult, { status: 'written' }> | undefined>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const sign = async (): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      setAttest(await session.attest(!disagree, disagree ? reason.trim() : undefined));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const exportReceipt = async (): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      const name = receiptFileName(session.name);
      const r = await unwrap(bridge().exportFile({ suggestedName: name, bytes: encodeReceipt(session.receipt()) }));
      if (r.status === 'written') setExported(r);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="kw-screen" aria-labelledby="attest-title" data-testid="participant-attest">
      <h1 id="attest-title">The session is closed: your closing attestation</h1>
      {!attest && (
        <>
          <fieldset className="kw-inputs kw-attest-choice" data-testid="attest-choice">
            <legend>Choose one</legend>
            {/* The statements belong to the choice but not inside its label (a label holds no list). */}
            <div className="kw-check">
              <input
                id="attest-agree"
                type="radio"
                name="attest"
                value="agree"
                checked={choice === 'agree'}
                aria-describedby="attest-agree-statements"
                onChange={() => setChoice('agree')}
              />
              <div>
                <label htmlFor="attest-agree">
                  <strong>I agree.</strong>
                </label>
                <ul className="kw-list" id="attest-agree-statements">
                  {STATEMENTS.map((s, i) => (
                    <li key={i}>{s}</li>
                  ))}
                </ul>
              </div>
            </div>
            <label className="kw-check">
              <input
                type="radio"
                name="attest"
                value="disagree"
                checked={disagree}
                onChange={() => setChoice('disagree')}
              />
              <span>
                <strong>I do not agree</strong> with the record, for the reason I give below.
              </span>
            </label>
          </fieldset>
          {disagree && (
            <div className="kw-field">
              <label htmlFor="disagree-reason">Why you do not agree (required; it is signed with your answer)</label>
              <textarea id="disagree-reason" rows={3} value={reason} onChange={(e) => setReason(e.target.value)} />
            </div>
          )}
          <ActionBar label="Next">
            <button
              type="button"
              className="kw-primary"
              disabled={busy || choice === undefined || (disagree && reason.trim() === '')}
              onClick={() => void sign()}
            >
              {disagree ? 'Sign that I do not agree' : 'Sign my closing attestation'}
            </button>
            {choice === undefined && <span className="kw-muted">Choose one answer first.</span>}
            {disagree && reason.trim() === '' && <span className="kw-muted">Give your reason first.</span>}
          </ActionBar>
        </>
      )}
      {attest && (
        <>
          <p className={attest.envelope.body.agree ? 'kw-ok' : 'kw-bad'}>
            {attest.envelope.body.agree
              ? 'You attested that the record is true.'
              : `You do not agree: "${attest.envelope.body.reason ?? ''}"`}
          </p>
          <MessageQr messages={[attest]} label="My closing attestation QR code" />
          <h2>Export your receipt</h2>
          <p>
            The receipt holds every message this device signed and every statement it answered, so an auditor can tell
            whether anything was left out of the session.
          </p>
          <button type="button" className="kw-primary" disabled={busy} onClick={() => void exportReceipt()}>
            Export my receipt…
          </button>
          {exported && (
            <p className="kw-ok" role="status" data-testid="receipt-export">
              Written and read back: <code>{exported.path}</code> ({exported.size} bytes, SHA-256 {exported.sha256Hex}).
            </p>
          )}
        </>
      )}
      <ErrorNotice error={error} />
    </section>
  );
}

/**
 * Auditor: open a session bundle and any participants' receipts, optionally type the script hash
 * and coordinator key from the paper record, re-verify everything from the bytes (the same audit
 * `keywitness audit` runs, with every evidence check recomputed), and show the verdict and findings
 * first, then the timeline; print or save the report as PDF.
 */
import { useEffect, useState } from 'react';
import { auditSession, parseExpectedDigest, type AuditResult } from '../../../src/core/audit/verdict.js';
import { checkEvidence } from '../../../src/core/evidence/checks.js';
import { decodeBundle, decodeReceipt, type Bundle, type Receipt } from '../../../src/core/session/files.js';
import { KeywitnessError } from '../../../src/core/errors.js';
import { bridge, unwrap } from '../../bridge/api.js';
import { useApp } from '../../app/context.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { AuditReportView } from './AuditReportView.js';

interface Opened<T> {
  readonly name: string;
  readonly value: T;
  readonly sha256Hex: string;
}

function named<T>(name: string, parse: (b: Uint8Array) => T, bytes: Uint8Array): T {
  try {
    return parse(bytes);
  } catch (e) {
    if (e instanceof KeywitnessError) throw new KeywitnessError(e.code, e.message, { where: name, cause: e });
    throw e;
  }
}

export function AuditorScreen() {
  const { setSessionMode } = useApp();
  const [bundle, setBundle] = useState<Opened<Bundle> | undefined>();
  const [receipts, setReceipts] = useState<Opened<Receipt>[]>([]);
  const [report, setReport] = useState<AuditResult | undefined>();
  const [expectScript, setExpectScript] = useState('');
  const [expectCoordinator, setExpectCoordinator] = useState('');
  const [error, setError] = useState<unknown>();
  const [verifyError, setVerifyError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    setSessionMode(report?.report.state?.genesis?.envelope.body.mode);
  }, [report, setSessionMode]);

  const open = async (kind: 'bundle' | 'receipt'): Promise<void> => {
    setError(undefined);
    try {
      const r = await unwrap(bridge().importFile({ kind }));
      if (r.status === 'cancelled') return;
      setReport(undefined);
      if (kind === 'bundle')
        setBundle({ name: r.name, value: named(r.name, decodeBundle, r.bytes), sha256Hex: r.sha256Hex });
      else
        // The same file twice is kept twice: the audit reports it (RECEIPT_DUPLICATE) rather than the
        // screen dropping it unseen.
        setReceipts((old) => [
          ...old,
          { name: r.name, value: named(r.name, decodeReceipt, r.bytes), sha256Hex: r.sha256Hex },
        ]);
    } catch (e) {
      setError(e);
    }
  };
  const verify = async (): Promise<void> => {
    if (!bundle) return;
    setBusy(true);
    setVerifyError(undefined);
    try {
      const script = expectScript.trim();
      const coordinator = expectCoordinator.trim();
      const expect = {
        ...(script ? { script: parseExpectedDigest(script, 'expected script SHA-256') } : {}),
        ...(coordinator ? { coordinator: parseExpectedDigest(coordinator, 'expected coordinator key') } : {}),
      };
      setReport(
        await auditSession(
          bundle.value,
          receipts.map((r) => r.value),
          { checker: checkEvidence, expect },
        ),
      );
    } catch (e) {
      setVerifyError(e);
    } finally {
      setBusy(false);
    }
  };

  const expectedField = (id: string, label: string, value: string, set: (v: string) => void) => (
    <div className="kw-field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        value={value}
        onChange={(e) => {
          set(e.target.value);
          setReport(undefined);
        }}
        autoComplete="off"
        spellCheck={false}
      />
    </div>
  );

  return (
    <section className="kw-screen" aria-labelledby="audit-title" data-testid="auditor">
      <h1 id="audit-title">Audit a session</h1>
      <div className="kw-no-print">
        <p>
          Every signature, the transcript chain, every check and every receipt are verified again from the bytes of the
          files; nothing on the coordinator&apos;s screens is trusted.
        </p>
        <div className="kw-buttons">
          <button type="button" onClick={() => void open('bundle')}>
            Open session bundle…
          </button>
          <button type="button" onClick={() => void open('receipt')}>
            Add a participant receipt…
          </button>
        </div>
        <ul className="kw-list" data-testid="audit-files">
          {bundle && (
            <li>
              Bundle: <code>{bundle.name}</code> (SHA-256 {bundle.sha256Hex})
            </li>
          )}
          {receipts.map((r, i) => (
            <li key={`${i}-${r.sha256Hex}`}>
              Receipt: <code>{r.name}</code> (SHA-256 {r.sha256Hex})
            </li>
          ))}
        </ul>
        <ErrorNotice error={error} title="The file was not opened" onDismiss={() => setError(undefined)} />
        <p>
          From the paper record, if you have it (optional; 64 hex digits or 32 words): the audit compares them and
          reports any difference as a finding.
        </p>
        {expectedField('expect-script', 'Script SHA-256 from the paper record', expectScript, setExpectScript)}
        {expectedField(
          'expect-coordinator',
          'Coordinator key fingerprint from the paper record',
          expectCoordinator,
          setExpectCoordinator,
        )}
        <button type="button" className="kw-primary" disabled={!bundle || busy} onClick={() => void verify()}>
          {busy ? 'Verifying…' : 'Verify'}
        </button>
        <ErrorNotice error={verifyError} title="The audit did not run" onDismiss={() => setVerifyError(undefined)} />
      </div>
      {report && bundle && (
        <AuditReportView
          result={report}
          bundleName={bundle.name}
          bundleSha256={bundle.sha256Hex}
          receipts={receipts.map((r) => r.name)}
        />
      )}
    </section>
  );
}

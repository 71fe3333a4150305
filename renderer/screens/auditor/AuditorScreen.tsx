/**
 * Auditor: open a session bundle and any participants' receipts, optionally type the script hash
 * and coordinator key from the paper record, re-verify everything from the bytes (the same audit
 * `keywitness audit` runs, with every evidence check recomputed), and show the verdict and findings
 * first, then the timeline; print or save the report as PDF. With a second bundle of the same
 * script (typically the rehearsal of the session audited), the two are compared step by step as
 * `keywitness compare` does.
 */
import { useEffect, useState } from 'react';
import { auditBundle } from '../../../src/core/audit/audit.js';
import { compareSessions, type Comparison } from '../../../src/core/audit/compare.js';
import { auditSession, parseExpectedDigest, type AuditResult } from '../../../src/core/audit/verdict.js';
import { checkEvidence } from '../../../src/core/evidence/checks.js';
import { decodeBundle, decodeReceipt, type Bundle, type Receipt } from '../../../src/core/session/files.js';
import { KeywitnessError } from '../../../src/core/errors.js';
import { equalBytes, toHex } from '../../../src/core/util/bytes.js';
import { bridge, unwrap } from '../../bridge/api.js';
import { useApp } from '../../app/context.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { AuditReportView } from './AuditReportView.js';
import { ComparisonView } from './ComparisonView.js';

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
  const [other, setOther] = useState<Opened<Bundle> | undefined>();
  const [receipts, setReceipts] = useState<Opened<Receipt>[]>([]);
  const [report, setReport] = useState<AuditResult | undefined>();
  const [comparison, setComparison] = useState<Comparison | undefined>();
  const [compareError, setCompareError] = useState<unknown>();
  const [expectScript, setExpectScript] = useState('');
  const [expectCoordinator, setExpectCoordinator] = useState('');
  const [error, setError] = useState<unknown>();
  const [verifyError, setVerifyError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    setSessionMode(report?.report.state?.genesis?.envelope.body.mode);
  }, [report, setSessionMode]);

  const open = async (what: 'bundle' | 'other' | 'receipt'): Promise<void> => {
    setError(undefined);
    try {
      const r = await unwrap(bridge().importFile({ kind: what === 'receipt' ? 'receipt' : 'bundle' }));
      if (r.status === 'cancelled') return;
      setReport(undefined);
      setComparison(undefined);
      setCompareError(undefined);
      if (what === 'bundle')
        setBundle({ name: r.name, value: named(r.name, decodeBundle, r.bytes), sha256Hex: r.sha256Hex });
      else if (what === 'other')
        setOther({ name: r.name, value: named(r.name, decodeBundle, r.bytes), sha256Hex: r.sha256Hex });
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
      const result = await auditSession(
        bundle.value,
        receipts.map((r) => r.value),
        { checker: checkEvidence, expect },
      );
      // The second session is audited on its own bytes too; core compares the two reports. As
      // `keywitness compare` does, two sessions of different scripts are not compared at all.
      let compared: Comparison | undefined;
      let refused: unknown;
      if (other) {
        const otherReport = await auditBundle(other.value, [], { checker: checkEvidence });
        if (equalBytes(result.report.scriptHash, otherReport.scriptHash))
          compared = await compareSessions(result.report, otherReport);
        else
          refused = new KeywitnessError(
            'INPUT_INVALID',
            `the bundles are sessions of different scripts (${toHex(result.report.scriptHash).slice(0, 16)}… and ${toHex(otherReport.scriptHash).slice(0, 16)}…): compare a rehearsal with the production run of the same script`,
            { where: other.name },
          );
      }
      setReport(result);
      setComparison(compared);
      setCompareError(refused);
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
          setComparison(undefined);
        }}
        autoComplete="off"
        spellCheck={false}
      />
    </div>
  );

  return (
    <section className="kw-screen kw-audit" aria-labelledby="audit-title" data-testid="auditor">
      <div className="kw-audit-files kw-no-print">
        <h1 id="audit-title">Audit a session</h1>
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
          <button type="button" onClick={() => void open('other')}>
            Compare with another bundle…
          </button>
        </div>
        <ul className="kw-list" data-testid="audit-files">
          {bundle && (
            <li>
              Bundle: <code>{bundle.name}</code> <span className="kw-file-sha">SHA-256 {bundle.sha256Hex}</span>
            </li>
          )}
          {receipts.map((r, i) => {
            // After the audit: whose receipt core accepted this file as (positions count from 1).
            const owner = report?.receipts.given.find((o) => o.receipts.includes(i + 1));
            return (
              <li key={`${i}-${r.sha256Hex}`} data-testid="audit-receipt">
                Receipt: <code>{r.name}</code> <span className="kw-file-sha">SHA-256 {r.sha256Hex}</span>
                {report && (
                  <span className={owner ? undefined : 'kw-bad'}>
                    {owner ? owner.label : 'not accepted: see the findings'}
                  </span>
                )}
              </li>
            );
          })}
          {other && (
            <li>
              Compared with bundle B: <code>{other.name}</code>{' '}
              <span className="kw-file-sha">SHA-256 {other.sha256Hex}</span>
            </li>
          )}
        </ul>
        <ErrorNotice error={error} title="The file was not opened" onDismiss={() => setError(undefined)} />
        <details open={!report}>
          <summary>From the paper record (optional)</summary>
          <p>64 hex digits or 32 words: the audit compares them and reports any difference as a finding.</p>
          {expectedField('expect-script', 'Script SHA-256 from the paper record', expectScript, setExpectScript)}
          {expectedField(
            'expect-coordinator',
            'Coordinator key fingerprint from the paper record',
            expectCoordinator,
            setExpectCoordinator,
          )}
        </details>
        <button type="button" className="kw-primary" disabled={!bundle || busy} onClick={() => void verify()}>
          {busy ? 'Verifying…' : other ? 'Verify and compare' : 'Verify'}
        </button>
        <ErrorNotice error={verifyError} title="The audit did not run" onDismiss={() => setVerifyError(undefined)} />
      </div>
      {report && bundle && (
        <AuditReportView
          result={report}
          bundleName={bundle.name}
          bundleSha256={bundle.sha256Hex}
          receipts={receipts.map((r) => r.name)}
          comparison={
            compareError !== undefined ? (
              <ErrorNotice error={compareError} title="The two bundles were not compared" />
            ) : comparison && other ? (
              <ComparisonView
                comparison={comparison}
                a={`${bundle.name}, SHA-256 ${bundle.sha256Hex.slice(0, 8)}…`}
                b={`${other.name}, SHA-256 ${other.sha256Hex.slice(0, 8)}…`}
              />
            ) : undefined
          }
        />
      )}
    </section>
  );
}

/**
 * Import one piece of evidence a step declares: a file from the export media, pasted text, or a
 * plain QR code from an ordinary tool (e.g. `qrencode` of a PEM). What was imported is shown with
 * its facts and fingerprints at once.
 */
import { useCallback, useState } from 'react';
import type { EvidenceSpec } from '../../../src/core/script/types.js';
import { utf8 } from '../../../src/core/util/bytes.js';
import { bridge, unwrap } from '../../bridge/api.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { EvidenceView } from '../../components/EvidenceView.js';
import { ScannerPanel } from '../../components/ScannerPanel.js';

export interface ImportedEvidence {
  readonly name: string;
  readonly bytes: Uint8Array;
}

const refuseMessages = async (): Promise<string> =>
  'this is a signed Keywitness message, not evidence: show the tool output or file as a plain QR code';

export function EvidenceImport({
  spec,
  value,
  onChange,
}: {
  spec: EvidenceSpec;
  value: ImportedEvidence | undefined;
  onChange: (v: ImportedEvidence | undefined) => void;
}) {
  const [mode, setMode] = useState<'none' | 'paste' | 'scan'>('none');
  const [text, setText] = useState('');
  const [error, setError] = useState<unknown>();
  const importFile = async (): Promise<void> => {
    setError(undefined);
    try {
      const r = await unwrap(bridge().importFile({ kind: 'evidence' }));
      if (r.status === 'read') onChange({ name: r.name, bytes: r.bytes });
    } catch (e) {
      setError(e);
    }
  };
  const onPlain = useCallback(
    (bytes: Uint8Array) => {
      onChange({ name: 'scanned QR code', bytes });
      setMode('none');
    },
    [onChange],
  );
  const pasteId = `paste-${spec.id}`;
  return (
    <section className="kw-import" aria-label={`Import evidence ${spec.id}`} data-testid={`import-${spec.id}`}>
      <h3>
        Evidence <code>{spec.id}</code> ({spec.kind}
        {spec.parser ? `, ${spec.parser} output` : ''}){spec.required ? '' : ', optional'}
      </h3>
      <div className="kw-buttons">
        <button type="button" onClick={() => void importFile()}>
          Import file…
        </button>
        <button
          type="button"
          aria-pressed={mode === 'paste'}
          onClick={() => setMode(mode === 'paste' ? 'none' : 'paste')}
        >
          Paste text
        </button>
        <button type="button" aria-pressed={mode === 'scan'} onClick={() => setMode(mode === 'scan' ? 'none' : 'scan')}>
          Scan a plain QR code
        </button>
        {value && (
          <button type="button" onClick={() => onChange(undefined)}>
            Remove
          </button>
        )}
      </div>
      {mode === 'paste' && (
        <div className="kw-field">
          <label htmlFor={pasteId}>
            Paste the tool output or PEM text for <code>{spec.id}</code>
          </label>
          <textarea id={pasteId} rows={8} value={text} onChange={(e) => setText(e.target.value)} spellCheck={false} />
          <button
            type="button"
            disabled={text.trim() === ''}
            onClick={() => {
              onChange({ name: 'pasted text', bytes: utf8(text) });
              setMode('none');
            }}
          >
            Use the pasted text
          </button>
        </div>
      )}
      {mode === 'scan' && (
        <ScannerPanel active verify={refuseMessages} onPlain={onPlain} title={`Camera: plain QR code for ${spec.id}`} />
      )}
      <ErrorNotice error={error} title="The evidence file was not imported" onDismiss={() => setError(undefined)} />
      {value ? (
        <EvidenceView spec={spec} bytes={value.bytes} name={value.name} />
      ) : (
        <p className="kw-muted">Not imported yet.</p>
      )}
    </section>
  );
}

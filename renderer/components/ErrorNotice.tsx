/** An error as a person reads it: what happened, then what to do next. Announced to screen readers. */
import { useEffect, useRef } from 'react';
import { explain } from '../app/explain.js';

export function ErrorNotice({
  error,
  title = 'That did not work',
  onDismiss,
}: {
  error: unknown;
  title?: string;
  onDismiss?: () => void;
}) {
  const ref = useRef<HTMLDivElement | null>(null);
  useEffect(() => {
    ref.current?.focus();
  }, [error]);
  if (error === undefined || error === null) return null;
  const e = explain(error);
  return (
    <div className="kw-error" role="alert" tabIndex={-1} ref={ref} data-testid="error" data-code={e.code}>
      <p className="kw-error-title">
        <strong>{title}</strong> <span className="kw-code-tag">{e.code}</span>
      </p>
      <p data-testid="error-what">{e.what}</p>
      <p>
        <strong>What to do next:</strong> {e.next}
      </p>
      {onDismiss && (
        <button type="button" onClick={onDismiss}>
          Dismiss
        </button>
      )}
    </div>
  );
}

/**
 * Coordinator: repeating a step. The room may decide to redo a step even when nothing failed (a
 * key generated under the wrong label): a repeat exception, which the step's quorum acknowledges
 * before the new attempt's statement. Earlier attempts of the step stay listed with what was
 * decided. Whether a repeat is allowed is core's (`REPEAT_FORBIDDEN` for a step the script
 * forbids repeating); this screen passes on the decision and shows core's refusal.
 */
import { useState } from 'react';
import type { StepProgress } from '../../../src/core/session/completion.js';
import { formatTime } from '../../../src/core/util/time-format.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import type { CoordinatorSession } from '../../session/coordinator-session.js';

/** "The room decides to repeat this step…": a reason, then a signed repeat exception. */
export function RepeatForm({ session, refresh }: { session: CoordinatorSession; refresh: () => void }) {
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const sign = async (): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      await session.run((c) => c.issueException(reason.trim(), 'repeat'));
      setReason('');
      refresh();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <details className="kw-control-form" data-testid="repeat-form">
      <summary>The room decides to repeat this step…</summary>
      <div className="kw-field">
        <label htmlFor="repeat-reason">Why the step is repeated (signed into the record as an exception)</label>
        <textarea id="repeat-reason" rows={2} value={reason} onChange={(e) => setReason(e.target.value)} />
      </div>
      <button type="button" className="kw-primary" disabled={busy || reason.trim() === ''} onClick={() => void sign()}>
        Sign the repeat exception and show it
      </button>
      <ErrorNotice error={error} title="The repeat was refused" onDismiss={() => setError(undefined)} />
    </details>
  );
}

/** Earlier attempts of the step, in order, each with what the room decided. */
export function AttemptHistory({ progress }: { progress: StepProgress }) {
  const earlier = progress.attempts.slice(0, -1);
  if (earlier.length === 0) return null;
  return (
    <section aria-labelledby="attempts-title" data-testid="attempt-history">
      <h2 id="attempts-title">Earlier attempts of step {progress.spec.id}</h2>
      <ol className="kw-list">
        {earlier.map((a, i) => {
          const decided = a.exceptions.at(-1)?.message.envelope.body;
          const failed = a.statement.message.envelope.body.checks.filter((c) => !c.ok).map((c) => c.id);
          return (
            <li key={i}>
              Attempt {i + 1}, statement {formatTime(a.statement.message.envelope.at)}
              {failed.length > 0 ? `; failed checks: ${failed.join(', ')}` : ''}; decided:{' '}
              <strong>{decided ? decided.decision.toUpperCase() : 'nothing'}</strong>
              {decided ? ` — "${decided.reason}"` : ''}
            </li>
          );
        })}
      </ol>
    </section>
  );
}

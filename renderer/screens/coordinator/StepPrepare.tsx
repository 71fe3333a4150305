/**
 * Coordinator: one step before its statement. Instructions, the typed inputs, the evidence, the
 * checks with expected against observed, the typed confirmation of an irreversible step; then the
 * statement is signed (journaled first) and shown.
 */
import { useState } from 'react';
import type { PreparedStatement } from '../../../src/core/session/coordinator.js';
import type { StepSpec } from '../../../src/core/script/types.js';
import { CheckTable } from '../../components/CheckTable.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { Markdown } from '../../components/Markdown.js';
import type { CoordinatorSession } from '../../session/coordinator-session.js';
import { EvidenceImport, type ImportedEvidence } from './EvidenceImport.js';

export function StepPrepare({
  session,
  step,
  position,
  refresh,
}: {
  session: CoordinatorSession;
  step: StepSpec;
  position: string;
  refresh: () => void;
}) {
  const [inputs, setInputs] = useState<Record<string, string>>(() =>
    Object.fromEntries(step.inputs.map((i) => [i.id, ''])),
  );
  const [evidence, setEvidence] = useState<Record<string, ImportedEvidence | undefined>>({});
  const [confirm, setConfirm] = useState('');
  const [prepared, setPrepared] = useState<PreparedStatement | undefined>();
  const [acceptFailures, setAcceptFailures] = useState(false);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const invalidate = (): void => {
    setPrepared(undefined);
    setAcceptFailures(false);
  };
  const missing = step.evidence.filter((e) => e.required && !evidence[e.id]);
  const confirmNeeded = step.irreversible?.confirm;
  const confirmOk = confirmNeeded === undefined || confirm === confirmNeeded;

  const check = async (): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      const list = step.evidence.flatMap((e) => {
        const given = evidence[e.id];
        return given ? [{ id: e.id, name: given.name, bytes: given.bytes }] : [];
      });
      const trimmed = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, v.trim()]));
      setPrepared(
        await session.run((c) =>
          c.prepareStatement(step.id, trimmed, list, confirmNeeded !== undefined ? confirm : undefined),
        ),
      );
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const issue = async (): Promise<void> => {
    if (!prepared) return;
    setBusy(true);
    setError(undefined);
    try {
      await session.run((c) => c.issueStatement(prepared));
      refresh();
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };
  const failed = prepared?.checks.filter((c) => !c.ok) ?? [];

  return (
    <section className="kw-screen" aria-labelledby="step-title" data-testid="step-prepare" data-step={step.id}>
      <p className="kw-muted kw-kicker">
        Step {position}
        {step.actor ? `, performed by ${step.actor}` : ''}
      </p>
      <h1 id="step-title">
        Step {step.id}: {step.title}
      </h1>
      {step.irreversible && (
        <p className="kw-warn">
          <strong>Irreversible step.</strong> Nothing can undo it once performed.
        </p>
      )}
      <Markdown source={step.instructions} />
      {step.inputs.length > 0 && (
        <fieldset className="kw-inputs">
          <legend>Record what was read aloud</legend>
          {step.inputs.map((i) => (
            <div className="kw-field" key={i.id}>
              <label htmlFor={`input-${i.id}`}>{i.label}</label>
              <input
                id={`input-${i.id}`}
                value={inputs[i.id] ?? ''}
                autoComplete="off"
                spellCheck={false}
                onChange={(e) => {
                  setInputs({ ...inputs, [i.id]: e.target.value });
                  invalidate();
                }}
              />
            </div>
          ))}
        </fieldset>
      )}
      {step.evidence.map((e) => (
        <EvidenceImport
          key={e.id}
          spec={e}
          value={evidence[e.id]}
          onChange={(v) => {
            setEvidence((old) => ({ ...old, [e.id]: v }));
            invalidate();
          }}
        />
      ))}
      {confirmNeeded !== undefined && (
        <div className="kw-field">
          <label htmlFor="irreversible-confirm">
            Type <code>{confirmNeeded}</code> to confirm this irreversible step
          </label>
          <input
            id="irreversible-confirm"
            value={confirm}
            autoComplete="off"
            spellCheck={false}
            aria-invalid={confirm !== '' && !confirmOk}
            onChange={(e) => {
              setConfirm(e.target.value);
              invalidate();
            }}
          />
          {confirm !== '' && !confirmOk && (
            <p className="kw-bad">
              That is not the text the script asks for: type it exactly, character for character.
            </p>
          )}
        </div>
      )}
      <button
        type="button"
        className="kw-primary"
        disabled={busy || missing.length > 0 || !confirmOk}
        onClick={() => void check()}
      >
        Run the checks
      </button>
      {missing.length > 0 && (
        <p className="kw-muted">Import the evidence first: {missing.map((e) => e.id).join(', ')}.</p>
      )}
      <ErrorNotice error={error} />
      {prepared && (
        <section aria-label="Check results">
          <CheckTable checks={prepared.checks} caption={`Checks of step ${step.id}`} testId="prepared-checks" />
          {failed.length > 0 && (
            <label className="kw-check kw-warn">
              <input type="checkbox" checked={acceptFailures} onChange={(e) => setAcceptFailures(e.target.checked)} />
              Issue the statement with {failed.length} failed check(s). The step will stay blocked until an exception is
              recorded and acknowledged by the witnesses. (Otherwise correct the input or evidence and run the checks
              again.)
            </label>
          )}
          <button
            type="button"
            className="kw-primary"
            disabled={busy || (failed.length > 0 && !acceptFailures)}
            onClick={() => void issue()}
          >
            Sign the statement and show it
          </button>
        </section>
      )}
    </section>
  );
}

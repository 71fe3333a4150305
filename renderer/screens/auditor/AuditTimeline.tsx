/**
 * The audit report's timeline, as core's rule fold left it: every step with who was present at its
 * statement (core's `attendanceTimeline`) and every attempt in order — statement, evidence with
 * fingerprints, checks as claimed and as re-run, each exception with what it decided (proceed or
 * REPEAT) and who acknowledged what — then the roster changes, the suspensions and resumes, the
 * abort, and the close. Nothing here is judged: completion is core's `stepCompletion`.
 */
import { answerFlags } from '../../../src/core/audit/report-text.js';
import type { AuditResult } from '../../../src/core/audit/verdict.js';
import type { AckSpec } from '../../../src/core/script/types.js';
import { spokenWords } from '../../../src/core/protocol/words.js';
import { stepCompletion, type StepProgress } from '../../../src/core/session/completion.js';
import type { AckTarget } from '../../../src/core/session/room.js';
import { attendanceTimeline } from '../../../src/core/session/state-roster.js';
import { fromHex, toHex } from '../../../src/core/util/bytes.js';
import { formatTime } from '../../../src/core/util/time-format.js';
import { CheckTable } from '../../components/CheckTable.js';

type State = NonNullable<AuditResult['report']['state']>;

/** Who answered a target, when, and how (recomputed, challenged), one line each. */
function Answers({ target, state, asks }: { target: AckTarget; state: State; asks: AckSpec | undefined }) {
  return (
    <>
      {[...target.acks.values()].map((ack) => {
        const b = ack.envelope.body;
        return (
          <li key={toHex(ack.id)} className={b.decision === 'confirm' ? undefined : 'kw-bad'}>
            {b.decision === 'confirm' ? 'Confirmed' : 'OBJECTED'} by{' '}
            {state.participants.get(toHex(ack.envelope.by))?.label ?? 'unknown'} at {formatTime(ack.envelope.at)}
            {asks ? ` (${answerFlags(ack, asks)})` : ''}
            {b.reason ? `: "${b.reason}"` : ''}
          </li>
        );
      })}
    </>
  );
}

/** One step: how it ended, who was present, then each attempt in order. */
function StepEntry({
  step,
  state,
  present,
  recomputed,
  evidence,
}: {
  step: StepProgress;
  state: State;
  present: readonly string[] | undefined;
  recomputed: AuditResult['report']['recomputed'];
  evidence: AuditResult['report']['evidence'];
}) {
  const title = `Step ${step.spec.id}: ${step.spec.title}`;
  if (!step.statement)
    return (
      <section className="kw-timeline-step">
        <h3>{title}</h3>
        {state.events.abort ? (
          <p>Not reached: the ceremony was ABORTED before it.</p>
        ) : state.events.suspended ? (
          <p>Not reached: the ceremony is SUSPENDED.</p>
        ) : (
          <p className="kw-bad">No statement.</p>
        )}
      </section>
    );
  const done = stepCompletion(step, state.participants);
  const n = step.attempts.length;
  return (
    <section className="kw-timeline-step" data-testid="timeline-step" data-step={step.spec.id} data-attempts={n}>
      <h3>
        {title} — {done.complete ? 'complete' : 'INCOMPLETE'}
        {done.blocked && done.complete ? ' (by exception)' : ''}
        {n > 1 ? ` after ${n} attempts` : ''}
      </h3>
      {present && (
        <p data-testid="present">
          Present: {present.map((fp) => state.participants.get(fp)?.name ?? `key ${fp.slice(0, 16)}…`).join(', ')}
        </p>
      )}
      {step.attempts.map((attempt, k) => {
        const s = attempt.statement.message;
        const own = recomputed.get(toHex(s.id));
        return (
          <div key={toHex(s.id)} data-testid="attempt" data-attempt={k + 1}>
            {n > 1 && (
              <h4>
                Attempt {k + 1} of {n}
              </h4>
            )}
            <p>
              Statement signed {formatTime(s.envelope.at)}.
              {Object.keys(s.envelope.body.inputs).length > 0 &&
                ` Inputs: ${Object.entries(s.envelope.body.inputs)
                  .map(([key, v]) => `${key} = ${v}`)
                  .join('; ')}.`}
              {s.envelope.body.confirm && ` Irreversible step confirmed by typing "${s.envelope.body.confirm}".`}
            </p>
            {s.envelope.body.evidence.map((e) => (
              <p key={e.id}>
                Evidence <code>{e.id}</code>: {e.name}, {e.size} bytes, SHA-256{' '}
                <span className="kw-hex">{toHex(e.sha256)}</span> ({spokenWords(e.sha256)})
                {evidence.has(toHex(e.sha256)) ? '' : ' — NOT IN THE BUNDLE'}
              </p>
            ))}
            <CheckTable checks={s.envelope.body.checks} caption="Checks as the statement claims them" />
            {own && <CheckTable checks={own} caption="Evidence checks re-run by this audit" />}
            <ul className="kw-list">
              <Answers target={attempt.statement} state={state} asks={step.spec.acks} />
              {attempt.exceptions.map((x) => {
                const { decision, reason } = x.message.envelope.body;
                return [
                  <li key={toHex(x.message.id)} className="kw-warn" data-testid="exception" data-decision={decision}>
                    Exception signed {formatTime(x.message.envelope.at)}, deciding{' '}
                    <strong>{decision === 'repeat' ? 'to REPEAT the step' : 'to proceed'}</strong>: &ldquo;{reason}
                    &rdquo;
                  </li>,
                  <Answers key={`${toHex(x.message.id)}-acks`} target={x} state={state} asks={step.spec.acks} />,
                ];
              })}
            </ul>
          </div>
        );
      })}
    </section>
  );
}

/** The whole timeline of an audited session. */
export function AuditTimeline({ result, state }: { result: AuditResult; state: State }) {
  const attendance = attendanceTimeline(state);
  const nameOf = (fp: string): string => state.participants.get(fp)?.name ?? `key ${fp.slice(0, 16)}…`;
  const { suspensions, abort } = state.events;
  return (
    <section aria-labelledby="timeline-title">
      <h2 id="timeline-title">Timeline</h2>
      {state.steps.map((step, i) => (
        <StepEntry
          key={step.spec.id}
          step={step}
          state={state}
          present={attendance.steps[i]}
          recomputed={result.report.recomputed}
          evidence={result.report.evidence}
        />
      ))}
      {attendance.changes.length > 0 && (
        <section aria-labelledby="attendance-title" data-testid="attendance-changes">
          <h3 id="attendance-title">Changes of who was present</h3>
          <ul className="kw-list">
            {attendance.changes.map((c) => (
              <li key={c.seq} className={c.complete ? undefined : 'kw-bad'}>
                {formatTime(c.at)}:{' '}
                {c.change === 'join' ? 'late enrolment of' : c.change === 'leave' ? 'departure of' : 'new device for'}{' '}
                {nameOf(c.participant)}
                {c.replaces ? ` (replaces ${spokenWords(fromHex(c.replaces))})` : ''}: &ldquo;{c.reason}&rdquo;
                {c.complete ? ', acknowledged by the room' : ' — NOT ACKNOWLEDGED'}
              </li>
            ))}
          </ul>
        </section>
      )}
      {(suspensions.length > 0 || abort) && (
        <section aria-labelledby="events-title" data-testid="session-events">
          <h3 id="events-title">Suspensions{abort ? ' and the abort' : ''}</h3>
          <ul className="kw-list">
            {suspensions.map(({ suspend, resume }) => [
              <li key={toHex(suspend.id)} className="kw-warn" data-testid="suspension">
                SUSPENDED {formatTime(suspend.envelope.at)}: &ldquo;{suspend.envelope.body.reason}&rdquo;
                {resume
                  ? `; resumed ${formatTime(resume.message.envelope.at)}${resume.message.envelope.body.reason ? `: "${resume.message.envelope.body.reason}"` : ''}`
                  : '; NOT RESUMED: the record ends here'}
              </li>,
              resume ? (
                <Answers key={`${toHex(suspend.id)}-acks`} target={resume} state={state} asks={undefined} />
              ) : null,
            ])}
            {abort && (
              <>
                <li className="kw-bad" data-testid="abort">
                  <strong>ABORTED</strong>{' '}
                  {abort.message.envelope.body.step
                    ? `at step ${abort.message.envelope.body.step}`
                    : 'before the first step'}{' '}
                  {formatTime(abort.message.envelope.at)}: &ldquo;{abort.message.envelope.body.reason}&rdquo;
                </li>
                <Answers target={abort} state={state} asks={undefined} />
              </>
            )}
          </ul>
        </section>
      )}
      {state.close && (
        <p data-testid="timeline-close">
          Closed{abort ? ' as ABORTED' : ''} {formatTime(state.close.envelope.at)}; {state.attestations.size} closing
          attestation(s).
        </p>
      )}
    </section>
  );
}

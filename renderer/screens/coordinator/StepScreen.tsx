/**
 * Coordinator, during the steps: prepare and issue the statement of the step due, or — once it is
 * issued — collect acknowledgements until the step completes (with an exception where it is
 * blocked). When the room confirmed a repeat exception, the step due is the same step again and
 * its new statement names that exception (core's `dueStep` and `issueStatement`). Which one shows
 * follows from the session state alone; the room's other decisions sit below it.
 */
import type { CoordinatorSession } from '../../session/coordinator-session.js';
import { StepPrepare } from './StepPrepare.js';
import { StepAcks } from './StepAcks.js';
import { SessionControls } from './SessionControls.js';
import { RoomPanel } from './RoomPanel.js';

export function StepScreen({
  session,
  refresh,
  onLateEnrolment,
}: {
  session: CoordinatorSession;
  refresh: () => void;
  onLateEnrolment: () => void;
}) {
  const { state } = session.coordinator;
  const completion = session.coordinator.currentCompletion();
  const total = state.script.steps.length;
  const progress = state.steps[state.current];
  const controls = (
    <>
      <RoomPanel session={session} />
      <SessionControls session={session} refresh={refresh} onLateEnrolment={onLateEnrolment} />
    </>
  );
  if (!progress || completion?.complete || completion?.repeat) {
    const step = state.dueStep;
    if (!step) throw new Error('StepScreen is shown only while a step is still due');
    const done = progress?.spec;
    const repeat = completion?.repeat === true ? progress?.exceptions.at(-1)?.message : undefined;
    const attempt = repeat ? (progress?.attempts.length ?? 0) + 1 : 1;
    return (
      <>
        {done && completion?.complete && (
          <p className="kw-ok" role="status" data-testid="step-complete">
            Step {done.id} is complete: {completion.confirmations} of {completion.needed} confirmations
            {completion.blocked ? ', by an acknowledged exception' : ''}.
          </p>
        )}
        {repeat && (
          <p className="kw-warn" role="status" data-testid="step-repeat">
            The room decided to repeat step {step.id}: &ldquo;{repeat.envelope.body.reason}&rdquo;. Prepare attempt{' '}
            {attempt}; its statement names that decision, and the earlier attempt stays in the record.
          </p>
        )}
        <StepPrepare
          key={`${step.id}#${attempt}`}
          session={session}
          step={step}
          position={`${step.index + 1} of ${total}${attempt > 1 ? `, attempt ${attempt}` : ''}`}
          refresh={refresh}
        />
        {controls}
      </>
    );
  }
  return (
    <>
      <StepAcks
        key={`${progress.spec.id}#${progress.attempts.length}`}
        session={session}
        progress={progress}
        position={`${progress.spec.index + 1} of ${total}${progress.attempts.length > 1 ? `, attempt ${progress.attempts.length}` : ''}`}
        refresh={refresh}
      />
      {controls}
    </>
  );
}

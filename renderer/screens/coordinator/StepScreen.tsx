/**
 * Coordinator, during the steps: prepare and issue the statement of the step due, or — once it is
 * issued — collect acknowledgements until the step completes (with an exception where it is
 * blocked). Which one shows follows from the session state alone.
 */
import type { CoordinatorSession } from '../../session/coordinator-session.js';
import { StepPrepare } from './StepPrepare.js';
import { StepAcks } from './StepAcks.js';

export function StepScreen({ session, refresh }: { session: CoordinatorSession; refresh: () => void }) {
  const { state } = session.coordinator;
  const completion = session.coordinator.currentCompletion();
  const total = state.script.steps.length;
  const progress = state.steps[state.current];
  if (!progress || completion?.complete) {
    const step = state.nextStep;
    if (!step) throw new Error('StepScreen is shown only while a step is still due');
    const done = progress?.spec;
    return (
      <>
        {done && completion && (
          <p className="kw-ok" role="status" data-testid="step-complete">
            Step {done.id} is complete: {completion.confirmations} of {completion.needed} confirmations
            {completion.blocked ? ', by an acknowledged exception' : ''}.
          </p>
        )}
        <StepPrepare
          key={step.id}
          session={session}
          step={step}
          position={`${step.index + 1} of ${total}`}
          refresh={refresh}
        />
      </>
    );
  }
  return (
    <StepAcks
      key={progress.spec.id}
      session={session}
      progress={progress}
      position={`${progress.spec.index + 1} of ${total}`}
      refresh={refresh}
    />
  );
}

/** Who has answered the step's statement and each exception, against the quorum the script asks. */
import type { StepProgress } from '../../../src/core/session/completion.js';
import type { Participant } from '../../../src/core/session/state.js';
import type { Completion } from '../../../src/core/session/completion.js';
import { spokenWords } from '../../../src/core/protocol/words.js';
import { toHex } from '../../../src/core/util/bytes.js';
import { formatTime } from '../../../src/core/util/time-format.js';

export function QuorumView({
  progress,
  participants,
  completion,
}: {
  progress: StepProgress;
  participants: ReadonlyMap<string, Participant>;
  completion: Completion;
}) {
  const eligible = [...participants.values()].filter((p) => progress.spec.acks.roles.includes(p.role));
  const targets = progress.statement ? [progress.statement, ...progress.exceptions] : [];
  return (
    <section aria-labelledby="quorum-title" data-testid="quorum">
      <h2 id="quorum-title">
        Acknowledgements: {completion.confirmations} of {completion.needed} confirmations
        {completion.blocked ? ' (blocked: needs an exception)' : ''}
      </h2>
      <p className="kw-muted">
        Needed: {progress.spec.acks.min} from {progress.spec.acks.roles.join(', ')}
        {progress.spec.acks.recompute ? '; witnesses recompute the evidence' : ''}
        {progress.spec.acks.challenge ? '; word challenge against the independent source' : ''}.
      </p>
      <table className="kw-table">
        <thead>
          <tr>
            <th scope="col">Participant</th>
            {targets.map((t, i) => (
              <th scope="col" key={i}>
                {i === 0 ? 'Statement' : `Exception ${i}`}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {eligible.map((p) => {
            const key = toHex(p.identity.fingerprint);
            return (
              <tr key={key} data-participant={p.name}>
                <th scope="row">
                  {p.name}{' '}
                  <span className="kw-muted">
                    ({p.role}, {spokenWords(p.identity.fingerprint)})
                  </span>
                </th>
                {targets.map((t, i) => {
                  const ack = t.acks.get(key);
                  if (!ack) return <td key={i}>waiting</td>;
                  const b = ack.envelope.body;
                  return (
                    <td key={i} className={b.decision === 'confirm' ? 'kw-pass' : 'kw-fail'}>
                      <strong>{b.decision === 'confirm' ? 'CONFIRMED' : 'OBJECTED'}</strong>{' '}
                      {formatTime(ack.envelope.at)}
                      {b.reason && <> — &ldquo;{b.reason}&rdquo;</>}
                    </td>
                  );
                })}
              </tr>
            );
          })}
        </tbody>
      </table>
      {completion.problems.length > 0 && (
        <ul className="kw-list">
          {completion.problems.map((p, i) => (
            <li key={i}>{p.message}</li>
          ))}
        </ul>
      )}
    </section>
  );
}

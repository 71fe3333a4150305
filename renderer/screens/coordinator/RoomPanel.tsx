/**
 * Coordinator: who is in the room now and how far each device's clock is from this one, as core
 * measured it at enrolment (less the scanning delay) and records it in the next signed message.
 * Presence is core's attendance; the skew text is core's `describeSkew`.
 */
import { spokenWords } from '../../../src/core/protocol/words.js';
import { presentParticipants } from '../../../src/core/session/room.js';
import { describeSkew } from '../../../src/core/session/state-clocks.js';
import { toHex } from '../../../src/core/util/bytes.js';
import type { CoordinatorSession } from '../../session/coordinator-session.js';

/** The participants present, each with their device's clock. */
export function RoomPanel({ session }: { session: CoordinatorSession }) {
  const { coordinator } = session;
  const present = presentParticipants(coordinator.state);
  const clocks = new Map(coordinator.clocks().map((c) => [toHex(c.participant.identity.fingerprint), c]));
  const away = coordinator.state.participants.size - present.size;
  return (
    <section aria-labelledby="room-title" data-testid="room">
      <h2 id="room-title">
        In the room: {present.size} participant(s){away > 0 ? `; ${away} enrolled but not present` : ''}
      </h2>
      <ul className="kw-list kw-room">
        {[...present].map(([fp, p]) => {
          const clock = clocks.get(fp);
          return (
            <li key={fp} data-participant={p.name}>
              <strong>{p.name}</strong> ({p.role}, {spokenWords(p.identity.fingerprint)}): device clock{' '}
              <span data-testid="room-clock">
                {clock
                  ? `${describeSkew(clock.skewMs)} this one${clock.recorded ? '' : ' (recorded in the next message)'}`
                  : 'not measured'}
              </span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

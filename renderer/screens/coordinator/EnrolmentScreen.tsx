/**
 * Coordinator: show the signed genesis; scan each participant's enrolment. Every enrolment passes
 * the session rules (roles, limits, pinned identities) before it is journaled and listed; each
 * participant then reads the first four words of their key fingerprint aloud, and the room sees how
 * far their device's clock is from the coordinator's (measured less the scanning delay).
 */
import { useCallback, useMemo, useState, type ReactNode } from 'react';
import { spokenWords } from '../../../src/core/protocol/words.js';
import { equalBytes, toHex } from '../../../src/core/util/bytes.js';
import { ActionBar } from '../../components/ActionBar.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { MessageQr } from '../../components/MessageQr.js';
import { ScannerPanel } from '../../components/ScannerPanel.js';
import type { CoordinatorSession } from '../../session/coordinator-session.js';
import { coordinatorScanVerifier } from '../../../src/core/session/scan-verifiers.js';
import { describeSkew } from '../../../src/core/session/state-clocks.js';

export function EnrolmentScreen({
  session,
  refresh,
  onBegin,
  late,
}: {
  session: CoordinatorSession;
  refresh: () => void;
  onBegin: () => void;
  /** After the first step: enrolments wait for a roster change (LateEnrolment) instead of beginning. */
  late?: ReactNode;
}) {
  const { coordinator, script } = session;
  const [error, setError] = useState<unknown>();
  const [last, setLast] = useState<string | undefined>();
  const verify = useMemo(() => coordinatorScanVerifier(coordinator.state), [coordinator]);
  const onMessage = useCallback(
    (wire: Uint8Array, scanDelayMs: number) => {
      session
        .run((c) => c.receive(wire, { scanDelayMs }))
        .then(
          (r) => {
            setError(undefined);
            const b = r.message.envelope.body as { name?: string; role?: string };
            const clock = r.skewMs === undefined ? '' : ` Their device's clock is ${describeSkew(r.skewMs)} this one.`;
            setLast(
              r.status === 'duplicate'
                ? `${b.name ?? 'This participant'} is already enrolled.${clock}`
                : `Enrolled ${b.name} as ${b.role}.${clock} Ask them to read their first four words aloud.`,
            );
            refresh();
          },
          (e: unknown) => {
            setError(e);
            setLast(undefined);
          },
        );
    },
    [session, refresh],
  );

  const participants = [...coordinator.state.participants.values()];
  const clocks = new Map(coordinator.clocks().map((c) => [c.participant.label, c.skewMs]));
  const roles = script.roles.filter((r) => !r.coordinator);
  const short = roles.filter((r) => participants.filter((p) => p.role === r.id).length < r.min);
  const sid = coordinator.genesis.envelope.sid;

  return (
    <section className="kw-screen" aria-labelledby="enrol-title">
      <h1 id="enrol-title">
        {late ? 'Late enrolment' : 'Enrolment'}: {script.title}
      </h1>
      <div className="kw-two">
        <div>
          <h2>1. Each participant scans the genesis</h2>
          <MessageQr messages={[coordinator.genesis]} label="Session genesis QR code" />
        </div>
        <div>
          <h2>2. Scan each participant&apos;s enrolment</h2>
          <ScannerPanel
            active
            verify={verify}
            sessionId={sid}
            onMessage={onMessage}
            title="Camera: enrolment QR codes"
          />
          {last && (
            <p className="kw-ok" role="status" data-testid="enrol-status">
              {last}
            </p>
          )}
          <ErrorNotice error={error} title="Enrolment refused" onDismiss={() => setError(undefined)} />
        </div>
      </div>
      <h2>Enrolled participants ({participants.length})</h2>
      <table className="kw-table" data-testid="participants">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Role</th>
            <th scope="col">Fingerprint: first four words (read aloud)</th>
            <th scope="col">Pinned identity</th>
            <th scope="col">Device clock</th>
            <th scope="col">In the room</th>
          </tr>
        </thead>
        <tbody>
          {participants.map((p) => {
            const pinned = script.participants.filter((q) => q.role === p.role);
            const match = pinned.some((q) => equalBytes(q.fingerprint, p.identity.fingerprint));
            return (
              <tr key={p.label}>
                <td>{p.name}</td>
                <td>{script.roles.find((r) => r.id === p.role)?.title ?? p.role}</td>
                <td className="kw-words-strong">
                  {spokenWords(p.identity.fingerprint)}
                  {late && (
                    // A replacement device enrols naming the earlier device's fingerprint: read it from here.
                    <details className="kw-muted">
                      <summary>full fingerprint (hex)</summary>
                      <code className="kw-hex">{toHex(p.identity.fingerprint)}</code>
                    </details>
                  )}
                </td>
                <td>
                  {pinned.length === 0 ? 'none pinned for this role' : match ? 'matches the script' : 'NOT PINNED'}
                </td>
                <td data-testid="clock-skew">
                  {clocks.has(p.label)
                    ? `${describeSkew(clocks.get(p.label) ?? 0)} this one`
                    : 'not measured: scan again'}
                </td>
                <td data-testid="presence">{presence(coordinator.state, toHex(p.identity.fingerprint))}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <ul className="kw-list" data-testid="role-counts">
        {roles.map((r) => {
          const n = participants.filter((p) => p.role === r.id).length;
          return (
            <li key={r.id} className={n < r.min ? 'kw-bad' : undefined}>
              {r.title}: {n} enrolled (needs at least {r.min}
              {r.max !== undefined ? `, at most ${r.max}` : ''})
            </li>
          );
        })}
      </ul>
      {late}
      {!late && (
        <ActionBar label="Begin the steps">
          <button type="button" className="kw-primary" disabled={short.length > 0} onClick={onBegin}>
            Enrolment complete: begin step {script.steps[0]?.id}
          </button>
          <span className={short.length > 0 ? 'kw-muted' : undefined}>
            {participants.length} enrolled
            {short.length > 0
              ? `; waiting for: ${short.map((r) => r.title).join(', ')}.`
              : '; every role has its minimum.'}
          </span>
        </ActionBar>
      )}
    </section>
  );
}

/** Whether a participant is in the room, as core's attendance says. */
function presence(state: CoordinatorSession['coordinator']['state'], fp: string): string {
  const { attendance, participants } = state;
  if (attendance.isPresent(fp)) return 'present';
  if (attendance.awaiting.has(fp)) return 'waiting for the roster change';
  const by = attendance.replacedBy(fp);
  if (by) return `replaced by a new device (${participants.get(by)?.label ?? by.slice(0, 16)})`;
  return 'left';
}

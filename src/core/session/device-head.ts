/**
 * A participant device's own copy of the transcript head. The device never sees the whole
 * transcript, only the coordinator's messages; each lists in `appended` the entries since the
 * coordinator's previous one. From the genesis, for each coordinator chained message in chain
 * order, the device folds the listed ids, requires the message's `prev` to equal what it folded,
 * then folds the message itself (transcript.ts's entry hash, as the coordinator's state does).
 *
 * Messages arrive in any order (a loop's frames decode as the camera catches them), so a message
 * whose predecessors have not arrived is held until they do. What the fold proves wrong it says:
 * two different messages at the same point of the record, a list naming an entry already folded,
 * a step out of order, a close that counts other steps. After any of these the device signs
 * nothing more. It also says whether each message the device signed has been recorded: an own
 * message that a later step's message leaves out was left out of the record.
 */
import { HAS_APPENDED, type CoordinatorChainedType } from '../protocol/bodies.js';
import type { SignedMessage } from '../protocol/message.js';
import type { Script } from '../script/types.js';
import { equalBytes, toHex } from '../util/bytes.js';
import { EMPTY_HEAD, entryHash } from './transcript.js';

/** A coordinator message that devices fold into their head. */
export type ChainedMessage = SignedMessage<CoordinatorChainedType>;

/** True for the messages a device folds (HAS_APPENDED, exhaustive over the message types). */
export function isChained(message: SignedMessage): message is ChainedMessage {
  return HAS_APPENDED[message.t];
}

/** Whether a target extends the device's head, and if not, whether it may still. */
export type HeadStatus =
  | { readonly kind: 'folded' }
  | { readonly kind: 'waiting'; readonly reason: string }
  | { readonly kind: 'refused'; readonly reason: string };

/** A point of the chain: the head and the next position, after a coordinator message. */
interface Point {
  readonly head: Uint8Array;
  readonly seq: number;
}

/** A message this device signed, and where the chain stood when it did. */
interface Own {
  readonly message: SignedMessage<'enroll' | 'ack'>;
  readonly what: string;
  /** Coordinator messages folded when it was signed; it must be listed by a later one. */
  readonly folded: number;
  /** Script position the message belongs to (its target's step; the step reached, for an enrolment). */
  readonly step: number;
}

export class DeviceHead {
  private readonly script: Script;
  /** The point before each folded coordinator message's `appended`, and the current one last. */
  private readonly points: Point[];
  private readonly chain: ChainedMessage[] = [];
  private readonly foldedIds = new Set<string>();
  private readonly pending = new Map<string, ChainedMessage>();
  private readonly refusedIds = new Map<string, string>();
  /** Every id folded from an `appended` list, with the position of the message that listed it. */
  private readonly listed = new Map<string, number>();
  private readonly own: Own[] = [];
  private lastStatement: SignedMessage<'statement'> | undefined;
  /** The latest exception folded for the last statement (a new attempt must name it). */
  private lastException: SignedMessage<'exception'> | undefined;
  private abort: SignedMessage<'abort'> | undefined;
  /** The suspend in force, until its resume is folded. */
  private suspend: SignedMessage<'suspend'> | undefined;
  private closed = false;
  private broken: string | undefined;

  constructor(script: Script, genesis: SignedMessage<'genesis'>) {
    this.script = script;
    this.points = [{ head: entryHash(0, EMPTY_HEAD, genesis.id), seq: 1 }];
  }

  /** The head this device folded, and the number of entries it covers. */
  get current(): Point {
    return this.at(this.chain.length);
  }

  /** Script position of the last statement folded; -1 before any. */
  get stepReached(): number {
    return this.lastStatement?.envelope.body.n ?? -1;
  }

  /** Take a verified coordinator message: fold it if it extends the head, else hold it. */
  offer(message: ChainedMessage): void {
    const key = toHex(message.id);
    if (this.foldedIds.has(key) || this.refusedIds.has(key)) return;
    this.pending.set(key, message);
    this.drain();
  }

  /** Whether `target` is folded; if not, what the device is waiting for or why it never will be. */
  status(target: ChainedMessage): HeadStatus {
    if (this.broken !== undefined) return { kind: 'refused', reason: this.broken };
    const key = toHex(target.id);
    if (this.foldedIds.has(key)) return { kind: 'folded' };
    const refused = this.refusedIds.get(key);
    if (refused !== undefined) return { kind: 'refused', reason: refused };
    const { head, seq } = this.current;
    return {
      kind: 'waiting',
      reason: `the coordinator's earlier messages: this ${what(target)} does not follow the record this device holds (${seq === 1 ? 'the genesis only' : `${seq} entries`}, head ${short(head)}); they travel with it on the coordinator's screen. If the screen shows nothing more, tell the room and do not sign`,
    };
  }

  /** Note a message this device signed; it must appear in a later coordinator message's `appended`. */
  recordOwn(message: SignedMessage<'enroll' | 'ack'>, what: string, step: number): void {
    this.own.push({ message, what, folded: this.chain.length, step });
  }

  /**
   * Why this device may not sign: a message it signed that the record left out, proven once a
   * coordinator message of a later step (or the close) goes on without it. Within the step it
   * belongs to, a missing answer is not yet proof: the coordinator may not have scanned it before
   * its next message (an exception), and its next message after that will list it; an objection
   * an exception leaves out is refused by the review itself (participant-ledger.ts).
   */
  ownMissing(): string | undefined {
    for (const own of this.own) {
      if (this.listed.has(toHex(own.message.id))) continue;
      const later = this.chain.slice(own.folded).find((m) => this.isLaterStep(m, own.step));
      if (!later) continue;
      return `${own.what} was left out of the record (the coordinator's ${what(later)} goes on without it): tell the room; do not sign`;
    }
    return undefined;
  }

  private isLaterStep(message: ChainedMessage, step: number): boolean {
    if (message.t === 'close') return true;
    if (message.t === 'statement') return message.envelope.body.n > step;
    return false;
  }

  private at(index: number): Point {
    const point = this.points[index];
    if (!point) throw new Error(`no chain point ${index}`);
    return point;
  }

  /** Fold whatever extends the head, until nothing more does; refuse what provably never will. */
  private drain(): void {
    for (;;) {
      let next: ChainedMessage | undefined;
      for (const [key, message] of this.pending) {
        const reason = this.neverExtends(message);
        if (reason !== undefined) {
          this.pending.delete(key);
          this.refusedIds.set(key, reason);
          this.broken ??= reason;
          continue;
        }
        if (equalBytes(message.envelope.prev, fold(this.current, message.envelope.appended).head)) {
          next = message;
          break;
        }
      }
      if (!next) return;
      this.pending.delete(toHex(next.id));
      this.fold(next);
    }
  }

  /** Why a held message can never extend the head, or undefined while it still may. */
  private neverExtends(message: ChainedMessage): string | undefined {
    const { appended, prev } = message.envelope;
    for (let i = 0; i < this.chain.length; i++) {
      if (!equalBytes(prev, fold(this.at(i), appended).head)) continue;
      const other = this.chain[i];
      return `the coordinator showed two different messages at the same point of the record (its ${what(message)}, and its ${other ? what(other) : 'earlier message'} this device already holds): tell the room; do not sign`;
    }
    const again = appended.find((id) => this.listed.has(toHex(id)));
    if (again) {
      return `the coordinator's ${what(message)} lists an entry this device's record already holds (${short(again)}): it does not belong to the record; tell the room; do not sign`;
    }
    return undefined;
  }

  private fold(message: ChainedMessage): void {
    const key = toHex(message.id);
    const position = this.chain.length;
    const after = fold(this.current, message.envelope.appended);
    for (const id of message.envelope.appended) this.listed.set(toHex(id), position);
    this.chain.push(message);
    this.foldedIds.add(key);
    this.points.push({ head: entryHash(after.seq, after.head, message.id), seq: after.seq + 1 });
    const wrong = this.outOfOrder(message);
    if (wrong !== undefined) {
      this.refusedIds.set(key, wrong);
      this.broken ??= wrong;
    }
    if (wrong !== undefined) return;
    switch (message.t) {
      case 'statement':
        this.lastStatement = message;
        this.lastException = undefined;
        break;
      case 'exception':
        this.lastException = message;
        break;
      case 'abort':
        this.abort = message;
        break;
      case 'suspend':
        this.suspend = message;
        break;
      case 'resume':
        this.suspend = undefined;
        break;
      case 'roster':
        break;
      case 'close':
        this.closed = true;
        break;
    }
  }

  /**
   * The device's view of the coordinator's order, from its messages alone: the steps one after
   * the other, an exception only for the statement in progress, a close after the last step that
   * counts the steps this device followed, and nothing after the close.
   */
  private outOfOrder(message: ChainedMessage): string | undefined {
    const stepOf = (n: number): string => this.script.steps[n]?.id ?? `position ${n + 1}`;
    const reached = this.stepReached;
    if (this.closed) return `the coordinator's ${what(message)} comes after its close: tell the room; do not sign`;
    if (this.abort && message.t !== 'close')
      return `the coordinator's ${what(message)} comes after its abort: tell the room; do not sign`;
    if (this.suspend && message.t !== 'resume')
      return `the coordinator's ${what(message)} comes while the session is suspended, before its resume: tell the room; do not sign`;
    switch (message.t) {
      case 'statement': {
        const { n, retry } = message.envelope.body;
        if (n === reached + 1 && retry === undefined) return undefined;
        if (n === reached && retry !== undefined) {
          const exception = this.lastException;
          if (exception && equalBytes(exception.id, retry) && exception.envelope.body.decision === 'repeat')
            return undefined;
          return `the coordinator's new attempt of step ${stepOf(n)} does not name the repeat exception of the attempt this device followed: tell the room; do not sign`;
        }
        return n <= reached
          ? `the coordinator's record holds a second statement for step ${stepOf(n)} after the statement for step ${stepOf(reached)}: tell the room; do not sign`
          : `the coordinator's record skips from step ${reached < 0 ? '(none)' : stepOf(reached)} to a statement for step ${stepOf(n)}; step ${stepOf(reached + 1)} was due: tell the room; do not sign`;
      }
      case 'exception': {
        const statement = this.lastStatement;
        if (statement && equalBytes(message.envelope.body.ref, statement.id)) return undefined;
        return `the coordinator's exception for step ${message.envelope.body.step} does not concern the statement of the step in progress (${statement ? stepOf(statement.envelope.body.n) : 'none'}): tell the room; do not sign`;
      }
      case 'abort': {
        const step = message.envelope.body.step;
        const inProgress = this.lastStatement?.envelope.body.step;
        if (step === inProgress) return undefined;
        return `the coordinator's abort names step ${step ?? '(none)'}; this device followed the ceremony to step ${inProgress ?? '(none)'}: tell the room; do not sign`;
      }
      case 'suspend':
        return undefined;
      case 'roster': {
        // A roster change names the step in progress, whose quorum acknowledges it.
        const step = message.envelope.body.step;
        const inProgress = this.lastStatement?.envelope.body.step;
        if (step === inProgress) return undefined;
        return `the coordinator's roster change names step ${step ?? '(none)'}; this device followed the ceremony to step ${inProgress ?? '(none)'}: tell the room; do not sign`;
      }
      case 'resume':
        if (this.suspend && equalBytes(message.envelope.body.ref, this.suspend.id)) return undefined;
        return this.suspend
          ? `the coordinator's resume does not name the suspend this device holds: tell the room; do not sign`
          : `the coordinator's resume comes while the session is not suspended: tell the room; do not sign`;
      case 'close': {
        const followed = reached + 1;
        if (this.abort) {
          const { abort, steps } = message.envelope.body;
          if (abort !== undefined && equalBytes(abort, this.abort.id) && steps === followed) return undefined;
          return `the close of the aborted session does not name its abort or says ${steps} steps were reached; this device followed ${followed}: do not attest`;
        }
        if (message.envelope.body.steps === followed && followed === this.script.steps.length) return undefined;
        return `the close says the ceremony had ${message.envelope.body.steps} steps; this device followed ${followed} of its script's ${this.script.steps.length}: do not attest`;
      }
    }
  }
}

/** The point after folding `ids` onto `from`. */
function fold(from: Point, ids: readonly Uint8Array[]): Point {
  let { head, seq } = from;
  for (const id of ids) head = entryHash(seq++, head, id);
  return { head, seq };
}

function what(message: ChainedMessage): string {
  switch (message.t) {
    case 'statement':
      return `statement for step ${message.envelope.body.step}`;
    case 'exception':
      return `exception for step ${message.envelope.body.step}`;
    case 'abort':
      return 'abort';
    case 'suspend':
      return 'suspend';
    case 'resume':
      return 'resume';
    case 'roster':
      return `roster ${message.envelope.body.change}`;
    case 'close':
      return 'close';
  }
}

function short(bytes: Uint8Array): string {
  return `${toHex(bytes.subarray(0, 8))}…`;
}

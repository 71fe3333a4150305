/**
 * What a participant device has received from the coordinator, and what the room is answering
 * now. Every message here was verified under the coordinator's key before it was added.
 *
 * Top-level statements, exceptions and the close are what the coordinator shows for the room to
 * answer. Messages that travel only as context (the statement an exception concerns, earlier
 * statements vouching for evidence that a step's checks refer to, the coordinator's messages a
 * device may have missed since its last answer) arrive wrapped in a `context` blob, so they are
 * never mistaken for the one being answered. Evidence blobs are kept by the
 * SHA-256 of their bytes, which is how statements name them.
 */
import type { EvidenceItem } from '../checks.js';
import { KeywitnessError } from '../errors.js';
import type { SignedMessage } from '../protocol/message.js';
import type { ChainedMessage } from './device-head.js';
import { EVIDENCE_REFERENCE_KEYS } from '../script/references.js';
import type { Script, StepSpec } from '../script/types.js';
import { equalBytes, toHex } from '../util/bytes.js';
import { sha256 } from '../util/hash.js';

/** Blob kind of a coordinator message that travels as context for the one being answered. */
export const CONTEXT_BLOB_KIND = 'context';

/** Most bytes a device keeps from one session's coordinator messages. */
export const MAX_POOL_BYTES = 64 * 1024 * 1024;

/** What the room can be asked to answer within the steps, or attest. */
export type Target = SignedMessage<'statement' | 'exception' | 'close'>;

/** Session events a device holds: abort, suspend, resume. */
export type SessionEventMessage = SignedMessage<'abort' | 'suspend' | 'resume'>;

/** Most retry links followed from one statement back to the step's first attempt. */
const MAX_ATTEMPT_CHAIN = 1000;

/** Ids of earlier evidence a step's expectations refer to (`spki_equals: keygen`…). */
export function referencedEvidence(step: StepSpec): string[] {
  const ids = new Set<string>();
  for (const e of step.evidence) {
    for (const key of EVIDENCE_REFERENCE_KEYS) {
      const target = e.expect[key];
      if (typeof target === 'string') ids.add(target);
    }
  }
  return [...ids];
}

export class MessagePool {
  private readonly script: Script;
  private readonly ids = new Set<string>();
  private readonly targetList: Target[] = [];
  private readonly statements = new Map<string, SignedMessage<'statement'>>();
  private readonly exceptions = new Map<string, SignedMessage<'exception'>>();
  private readonly eventList: SessionEventMessage[] = [];
  private readonly rosterList: SignedMessage<'roster'>[] = [];
  private readonly shownIds = new Set<string>();
  private readonly blobs = new Map<string, Uint8Array>();
  private size = 0;
  private added = 0;

  constructor(script: Script) {
    this.script = script;
  }

  /** Counts every message added: what depends on the pool's contents is current while it stays the same. */
  get version(): number {
    return this.added;
  }

  /** True when a message with this id (top-level or context) is already held. */
  has(id: Uint8Array): boolean {
    return this.ids.has(toHex(id));
  }

  /** Refuse growth past MAX_POOL_BYTES before anything is stored. */
  checkRoom(bytes: number): void {
    if (this.size + bytes > MAX_POOL_BYTES) {
      throw new KeywitnessError(
        'INPUT_TOO_LARGE',
        `this device already holds ${this.size} bytes of this session's messages; at most ${MAX_POOL_BYTES} are kept`,
      );
    }
  }

  /** Add a verified coordinator message; `context` marks a message that travelled as context. */
  add(message: ChainedMessage | SignedMessage<'blob'>, context = false): void {
    this.ids.add(toHex(message.id));
    if (!context) this.shownIds.add(toHex(message.id));
    this.size += message.wire.length;
    this.added += 1;
    switch (message.t) {
      case 'blob':
        this.blobs.set(toHex(sha256(message.envelope.body.data)), message.envelope.body.data);
        return;
      case 'statement':
        this.statements.set(toHex(message.id), message);
        if (!context) this.targetList.push(message);
        return;
      case 'exception':
        this.exceptions.set(toHex(message.id), message);
        if (!context) this.targetList.push(message);
        return;
      case 'close':
        if (!context) this.targetList.push(message);
        return;
      case 'abort':
      case 'suspend':
      case 'resume':
        // Kept whether shown or carried as context: a suspend is over once its resume is held.
        if (!this.eventList.some((e) => equalBytes(e.id, message.id))) this.eventList.push(message);
        return;
      case 'roster':
        if (!this.rosterList.some((r) => equalBytes(r.id, message.id))) this.rosterList.push(message);
        return;
    }
  }

  /** Roster changes shown, in the order they were scanned (the coordinator's clock orders them too). */
  rosterChanges(): readonly SignedMessage<'roster'>[] {
    return this.rosterList;
  }

  /**
   * True when a message was shown for answering, not only carried as context: a message first
   * held as context (the statement of a step left open across a suspend) may be shown later.
   */
  shown(message: SignedMessage): boolean {
    return this.shownIds.has(toHex(message.id));
  }

  /** An exception held by id. */
  exception(id: Uint8Array): SignedMessage<'exception'> | undefined {
    return this.exceptions.get(toHex(id));
  }

  /** The abort, once shown. */
  abort(): SignedMessage<'abort'> | undefined {
    return this.eventList.find((e): e is SignedMessage<'abort'> => e.t === 'abort');
  }

  /** The latest suspend (by the coordinator's clock) and the resume that names it, if any. */
  suspension():
    { readonly suspend: SignedMessage<'suspend'>; readonly resume: SignedMessage<'resume'> | undefined } | undefined {
    let suspend: SignedMessage<'suspend'> | undefined;
    for (const e of this.eventList)
      if (e.t === 'suspend' && (!suspend || e.envelope.at >= suspend.envelope.at)) suspend = e;
    if (!suspend) return undefined;
    const id = suspend.id;
    const resume = this.eventList.find(
      (e): e is SignedMessage<'resume'> => e.t === 'resume' && toHex(e.envelope.body.ref) === toHex(id),
    );
    return { suspend, resume };
  }

  /**
   * Which attempt of its step a statement is, from 0: a retry names a repeat exception, whose
   * statement is the attempt before. Undefined when a link is not held.
   */
  attemptOf(statement: SignedMessage<'statement'>): number | undefined {
    let n = 0;
    let at: SignedMessage<'statement'> | undefined = statement;
    while (at?.envelope.body.retry !== undefined) {
      if (n >= MAX_ATTEMPT_CHAIN) return undefined;
      const exception = this.exception(at.envelope.body.retry);
      at = exception ? this.statement(exception.envelope.body.ref) : undefined;
      if (!at) return undefined;
      n += 1;
    }
    return n;
  }

  /** The latest exception held for a statement (the attempt it opened), by the coordinator's clock. */
  latestExceptionOf(statement: SignedMessage<'statement'>): SignedMessage<'exception'> | undefined {
    let latest: SignedMessage<'exception'> | undefined;
    for (const e of this.exceptions.values()) {
      if (toHex(e.envelope.body.ref) !== toHex(statement.id)) continue;
      if (!latest || e.envelope.at >= latest.envelope.at) latest = e;
    }
    return latest;
  }

  /** A statement held by id, whether it was shown for answering or travelled as context. */
  statement(id: Uint8Array): SignedMessage<'statement'> | undefined {
    return this.statements.get(toHex(id));
  }

  /** The furthest step (script position) of a statement shown for answering, -1 before any. */
  furthestStep(): number {
    let n = -1;
    for (const t of this.targetList) if (t.t === 'statement') n = Math.max(n, t.envelope.body.n);
    return n;
  }

  /** The latest attempt's statement shown for answering at script position `n`, if any. */
  shownStatement(n: number): SignedMessage<'statement'> | undefined {
    let found: SignedMessage<'statement'> | undefined;
    for (const t of this.targetList) {
      if (t.t !== 'statement' || t.envelope.body.n !== n) continue;
      if (!found || (this.attemptOf(t) ?? 0) > (this.attemptOf(found) ?? 0)) found = t;
    }
    return found;
  }

  /** Evidence bytes with this SHA-256, if a blob carried them. */
  blob(digest: Uint8Array): Uint8Array | undefined {
    return this.blobs.get(toHex(digest));
  }

  /**
   * What the coordinator is showing now: the close once it came, otherwise the statement or
   * exception furthest along the script (a later attempt of a step after an earlier one, an
   * exception after its attempt's statement, a later exception after an earlier one).
   */
  current(): Target | undefined {
    let best: Target | undefined;
    let bestKey: readonly number[] = [];
    for (const t of this.targetList) {
      const key = this.order(t);
      if (!best || compare(key, bestKey) > 0) {
        best = t;
        bestKey = key;
      }
    }
    return best;
  }

  /**
   * Evidence `id` as the coordinator vouched for it: the bytes of a held blob whose digest a held
   * statement records under that id, with the statement. The latest such statement wins.
   */
  evidence(id: string): { readonly item: EvidenceItem; readonly statement: SignedMessage<'statement'> } | undefined {
    let found: { item: EvidenceItem; statement: SignedMessage<'statement'> } | undefined;
    for (const statement of this.statements.values()) {
      const ref = statement.envelope.body.evidence.find((r) => r.id === id);
      const spec = this.script.steps[statement.envelope.body.n]?.evidence.find((e) => e.id === id);
      const bytes = ref ? this.blob(ref.sha256) : undefined;
      if (!ref || !spec || !bytes) continue;
      const later =
        !found ||
        statement.envelope.body.n > found.statement.envelope.body.n ||
        (statement.envelope.body.n === found.statement.envelope.body.n &&
          (this.attemptOf(statement) ?? 0) >= (this.attemptOf(found.statement) ?? 0));
      if (later) {
        found = { item: { spec, bytes }, statement };
      }
    }
    return found;
  }

  private order(t: Target): readonly number[] {
    switch (t.t) {
      case 'close':
        return [Number.MAX_SAFE_INTEGER, 0, 0, t.envelope.at];
      case 'statement':
        return [t.envelope.body.n, this.attemptOf(t) ?? 0, 0, t.envelope.at];
      case 'exception': {
        const index = this.script.steps.findIndex((s) => s.id === t.envelope.body.step);
        const statement = this.statement(t.envelope.body.ref);
        return [index, statement ? (this.attemptOf(statement) ?? 0) : 0, 1, t.envelope.at];
      }
    }
  }
}

function compare(a: readonly number[], b: readonly number[]): number {
  for (const [i, x] of a.entries()) {
    const y = b[i] ?? 0;
    if (x !== y) return x - y;
  }
  return 0;
}

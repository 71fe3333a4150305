/**
 * Which of the coordinator's earlier messages travel with the one it shows. A device folds its own
 * head from the genesis through every coordinator chained message (device-head.ts), and it only
 * sees what the coordinator shows while its role is asked: a custodian who answers step 2.2 next
 * answers 3.2 and never scanned 2.3 or 3.1. So each loop carries, as context, every coordinator
 * chained message after the oldest target last answered by a participant who answers what is
 * shown; a participant who never answered needs everything since the genesis.
 */
import { isMessageOf, type SignedMessage } from '../protocol/message.js';
import { equalBytes, toHex } from '../util/bytes.js';
import { isChained, type ChainedMessage } from './device-head.js';
import { presentParticipants } from './room.js';
import type { Participant, SessionState } from './state.js';

/**
 * The participants asked to answer `shown`: the step's roles; everyone present for the close, an
 * abort, a suspend and a roster change (which the whole room scans, whoever's acknowledgement
 * counts; a participant who just joined scans everything since the genesis) and a resume.
 */
export function whoAnswers(state: SessionState, shown: ChainedMessage): Participant[] {
  const everyone = [...presentParticipants(state).values()];
  switch (shown.t) {
    case 'close':
    case 'abort':
    case 'suspend':
    case 'resume':
    case 'roster':
      return everyone;
    case 'statement':
    case 'exception': {
      const spec = state.script.steps.find((s) => s.id === shown.envelope.body.step);
      return spec ? everyone.filter((p) => spec.acks.roles.includes(p.role)) : [];
    }
  }
}

/**
 * The coordinator chained messages before `shown` that a device answering it may not hold, in
 * transcript order: those after the oldest target last answered by one of `whoAnswers`.
 */
export function missedMessages(state: SessionState, shown: ChainedMessage): ChainedMessage[] {
  const coordinator = state.coordinator;
  if (!coordinator) return [];
  const seqOf = new Map<string, number>();
  const lastAnswered = new Map<string, number>();
  let shownSeq = state.entries.length;
  for (const entry of state.entries) {
    const m = entry.message;
    if (!m) continue;
    seqOf.set(toHex(m.id), entry.seq);
    if (equalBytes(m.id, shown.id)) shownSeq = entry.seq;
    if (isMessageOf(m, 'ack')) {
      const target = seqOf.get(toHex(m.envelope.body.ref));
      const fp = toHex(m.envelope.by);
      if (target !== undefined) lastAnswered.set(fp, Math.max(lastAnswered.get(fp) ?? 0, target));
    }
  }
  // The genesis (seq 0) every device holds; a participant who never answered needs all after it.
  let from = shownSeq;
  for (const p of whoAnswers(state, shown)) from = Math.min(from, lastAnswered.get(toHex(p.identity.fingerprint)) ?? 0);
  const missed: ChainedMessage[] = [];
  for (const entry of state.entries.slice(from + 1, shownSeq)) {
    const m = entry.message;
    if (m && isChained(m) && equalBytes(m.envelope.by, coordinator.fingerprint)) missed.push(m);
  }
  return missed;
}

/** Messages in order, each once (by id). */
export function distinct<T extends SignedMessage>(messages: readonly T[]): T[] {
  const seen = new Set<string>();
  return messages.filter((m) => {
    const key = toHex(m.id);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

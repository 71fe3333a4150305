/**
 * The IPC dispatcher: everything between "a message arrived on a channel" and "a handler runs".
 * Pure (no electron import): the glue passes what Electron reports about the sender, so tests
 * forge senders and payloads freely.
 *
 * Order of checks, each refusal a structured result, never a thrown error across IPC:
 *  1. the channel is in the contract;
 *  2. the sender is the app's own main frame (origin app://keywitness);
 *  3. the input matches the channel's zod schema, size limits included;
 *  4. the handler runs; a KeywitnessError becomes {ok:false, code, message}; anything else is a
 *     bug, logged in full and reported as INTERNAL_ERROR without internals.
 */
import {
  CONTRACT,
  channelKey,
  type ChannelName,
  type ChannelOutput,
  type IpcResult,
  type ValidInput,
} from '../../shared/ipc.js';
import { isKeywitnessError } from '../../core/errors.js';
import { isAppOrigin } from '../policy/origin.js';

/** What the glue knows about who sent a message (event.senderFrame). */
export interface SenderFacts {
  /** URL of the sending frame, or undefined when the frame is gone. */
  readonly url: string | undefined;
  readonly isMainFrame: boolean;
}

/** One handler per channel, taking validated input. */
export type Handlers = { readonly [K in ChannelName]: (input: ValidInput<K>) => Promise<ChannelOutput<K>> };

/** Where refusals and bugs are reported (console in the app, a collector in tests). */
export type DispatchLog = (level: 'warn' | 'error', message: string, detail?: unknown) => void;

/** Check the sender: the app origin's main frame, nothing else. */
export function checkSender(sender: SenderFacts): string | null {
  if (!sender.url) return 'the sending frame is gone';
  if (!sender.isMainFrame) return 'messages from sub-frames are refused';
  if (!isAppOrigin(sender.url)) return `messages from ${sender.url.slice(0, 100)} are refused`;
  return null;
}

/** Build the dispatcher over a full set of handlers. */
export function createDispatcher(handlers: Handlers, log: DispatchLog = () => undefined) {
  return async function dispatch(channel: string, sender: SenderFacts, raw: unknown): Promise<IpcResult<unknown>> {
    const key = typeof channel === 'string' ? channelKey(channel) : null;
    if (key === null) {
      log('warn', `IPC refused: unknown channel ${String(channel).slice(0, 100)}`);
      return { ok: false, code: 'IPC_REJECTED', message: 'unknown IPC channel' };
    }
    const senderProblem = checkSender(sender);
    if (senderProblem !== null) {
      log('warn', `IPC refused on ${channel}: ${senderProblem}`);
      return { ok: false, code: 'IPC_REJECTED', message: senderProblem };
    }
    const parsed = CONTRACT[key].input.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
      const tooLarge = parsed.error.issues.some((i) => /at most \d+ bytes|longer than/.test(i.message));
      return {
        ok: false,
        code: tooLarge ? 'INPUT_TOO_LARGE' : 'INPUT_INVALID',
        message: `${key}: ${where}${issue?.message ?? 'invalid input'}`,
      };
    }
    try {
      const handler = handlers[key] as (input: unknown) => Promise<unknown>;
      return { ok: true, value: await handler(parsed.data) };
    } catch (e) {
      if (isKeywitnessError(e)) return { ok: false, code: e.code, message: e.message };
      log('error', `IPC handler ${key} failed`, e);
      return { ok: false, code: 'INTERNAL_ERROR', message: `${key} failed unexpectedly; see the application log` };
    }
  };
}

/**
 * The one IPC contract between the renderer and the main process (docs/security.md, "IPC"). Every
 * channel is a row of {@link CONTRACT}: its name on the wire, a zod schema for its input (checked
 * in the main process before any handler runs) and one for its output. The preload turns each row
 * into a named function on `window.keywitness`; the renderer never sees ipcRenderer.
 *
 * Adding a channel: add a row here, add a handler with the same key in src/main/handlers (the
 * compiler insists), and the preload and the renderer's types follow by themselves.
 *
 * Platform-free: imports only zod and core types, so the renderer may import it for its types.
 */
import { z } from 'zod';
import type { ErrorCode } from '../core/errors.js';
import { MAX_BUNDLE_BYTES } from '../core/session/files.js';
import { DEFAULT_MAX_SCRIPT_BYTES } from '../core/script/source-text.js';

/** Size limits enforced on IPC inputs and by the handlers behind them. */
export const LIMITS = {
  /**
   * One journal record (a signed message or a state change); QR messages are ≤ 16 KiB. Defined
   * here once: src/node/journal-format.ts takes it as the journal's default record limit.
   */
  journalRecordBytes: 1024 * 1024,
  /** Everything `journalRead` returns at once, and the default of every journal read in src/node. */
  journalReadBytes: 64 * 1024 * 1024,
  /** A file written to removable media: at most a session bundle with its evidence (core's limit). */
  exportBytes: MAX_BUNDLE_BYTES,
  /** File names the renderer suggests for export. */
  fileNameChars: 128,
  /** A PKCS#8 private key: an Ed25519 key is 48 bytes, a P-256 key about 138. */
  identityBytes: 4096,
  /** A ceremony script sent back to main for printing: the limit every script is read with. */
  scriptBytes: DEFAULT_MAX_SCRIPT_BYTES,
} as const;

/** Import kinds: each has its own size limit and validator (src/node/import-kinds.ts). */
export const IMPORT_KINDS = ['script', 'bundle', 'receipt', 'evidence'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

/** Any Uint8Array (Buffers qualify), typed over any buffer kind. */
const anyBytes = () => z.custom<Uint8Array>((v) => v instanceof Uint8Array, { message: 'expected bytes (Uint8Array)' });

/** Byte strings: a Uint8Array no longer than `max`. */
export function bytesSchema(max: number) {
  return anyBytes().refine((b) => b.byteLength <= max, { message: `at most ${max} bytes` });
}

const noInput = z.undefined({ message: 'this call takes no argument' });
const hex32 = z.string().regex(/^[0-9a-f]{64}$/, 'SHA-256 as 64 lower-case hex digits');
/** Session ids are 128-bit random values, carried as 32 lower-case hex digits. */
export const sessionIdSchema = z.string().regex(/^[0-9a-f]{32}$/, 'session id: 32 lower-case hex digits');
/**
 * File names for export: one path component, no separators or control characters, not hidden,
 * portable to FAT/exFAT media (no <>:"|?*), at most {@link LIMITS.fileNameChars} characters.
 */
export const fileNameSchema = z
  .string()
  .min(1, 'file name is empty')
  .max(LIMITS.fileNameChars, `file name longer than ${LIMITS.fileNameChars} characters`)
  // eslint-disable-next-line no-control-regex
  .regex(/^[^\\/<>:"|?*\u0000-\u001f\u007f]+$/, 'file name contains a separator, control or reserved character')
  .refine(
    (n) => !n.startsWith('.') && !n.endsWith('.') && !n.endsWith(' '),
    'file name may not start with a dot or end with a dot or space',
  );

const cancelled = z.strictObject({ status: z.literal('cancelled') });

/** The contract. Keys are the function names on `window.keywitness`. */
export const CONTRACT = {
  /** Version, flavour and the build hash shown at start. */
  appInfo: {
    channel: 'keywitness:app-info',
    input: noInput,
    output: z.strictObject({
      version: z.string(),
      flavour: z.enum(['release', 'e2e', 'dev']),
      buildHashHex: hex32,
      buildHashWords: z.array(z.string()).length(32),
      buildFileCount: z.number().int().nonnegative(),
    }),
  },
  /** Network interfaces that are up; the UI warns loudly when `warning` is true. */
  networkStatus: {
    channel: 'keywitness:network-status',
    input: noInput,
    output: z.strictObject({
      warning: z.boolean(),
      interfaces: z.array(z.strictObject({ name: z.string(), up: z.boolean(), addresses: z.array(z.string()) })),
    }),
  },
  /** Append one record to a session's journal; resolves only after it is on disk (fsync). */
  journalAppend: {
    channel: 'keywitness:journal-append',
    input: z.strictObject({ sessionId: sessionIdSchema, record: bytesSchema(LIMITS.journalRecordBytes) }),
    output: z.strictObject({ seq: z.number().int().nonnegative() }),
  },
  /** Every record of a session's journal, and how many torn-tail bytes were dropped on open. */
  journalRead: {
    channel: 'keywitness:journal-read',
    input: z.strictObject({ sessionId: sessionIdSchema }),
    output: z.strictObject({ records: z.array(anyBytes()), droppedTailBytes: z.number().int().nonnegative() }),
  },
  /**
   * Write a file into a directory the operator picks (removable media): never overwrites, reads
   * back and compares, reports the SHA-256 of what is on the media.
   */
  exportFile: {
    channel: 'keywitness:export-file',
    input: z.strictObject({ suggestedName: fileNameSchema, bytes: bytesSchema(LIMITS.exportBytes) }),
    output: z.discriminatedUnion('status', [
      cancelled,
      z.strictObject({
        status: z.literal('written'),
        path: z.string(),
        size: z.number().int().nonnegative(),
        sha256Hex: hex32,
      }),
    ]),
  },
  /**
   * Write the printable ceremony worksheet (PDF) of a script into a folder the operator picks, as
   * exportFile writes (never overwrites). The input is the script file the renderer imported, not a
   * path: main parses it again and refuses what `script lint` refuses, so the worksheet can only
   * say what a valid script says.
   */
  printWorksheet: {
    channel: 'keywitness:print-worksheet',
    input: z.strictObject({ script: bytesSchema(LIMITS.scriptBytes) }),
    output: z.discriminatedUnion('status', [
      cancelled,
      z.strictObject({
        status: z.literal('written'),
        path: z.string(),
        size: z.number().int().nonnegative(),
        sha256Hex: hex32,
        pages: z.number().int().positive(),
      }),
    ]),
  },
  /** Read a file the operator picks, size-limited and validated for its kind before it is returned. */
  importFile: {
    channel: 'keywitness:import-file',
    input: z.strictObject({ kind: z.enum(IMPORT_KINDS) }),
    output: z.discriminatedUnion('status', [
      cancelled,
      z.strictObject({
        status: z.literal('read'),
        name: z.string(),
        bytes: anyBytes(),
        size: z.number().int().nonnegative(),
        sha256Hex: hex32,
      }),
    ]),
  },
  /** Store this device's signing key (PKCS#8 DER) once; refuses to replace an existing one. */
  identitySave: {
    channel: 'keywitness:identity-save',
    input: z.strictObject({ pkcs8: bytesSchema(LIMITS.identityBytes) }),
    output: z.strictObject({ saved: z.literal(true) }),
  },
  /** This device's signing key, or null before one was created. */
  identityLoad: {
    channel: 'keywitness:identity-load',
    input: noInput,
    output: z.strictObject({ pkcs8: anyBytes().nullable() }),
  },
} as const;

/** Names of the functions on the bridge. */
export type ChannelName = keyof typeof CONTRACT;
/** What the renderer passes for a channel. */
export type ChannelInput<K extends ChannelName> = z.input<(typeof CONTRACT)[K]['input']>;
/** What a handler receives after validation. */
export type ValidInput<K extends ChannelName> = z.output<(typeof CONTRACT)[K]['input']>;
/** What a channel returns on success. */
export type ChannelOutput<K extends ChannelName> = z.output<(typeof CONTRACT)[K]['output']>;

/** Error codes an IPC result may carry: the core's, plus INTERNAL_ERROR for bugs. */
export type IpcErrorCode = ErrorCode | 'INTERNAL_ERROR';

/** Every call resolves to this; it never rejects for a refused or failed call. */
export type IpcResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly code: IpcErrorCode; readonly message: string };

/** The API the preload exposes as `window[BRIDGE_NAME]`. */
export type KeywitnessApi = {
  readonly [K in ChannelName]: ChannelInput<K> extends undefined
    ? () => Promise<IpcResult<ChannelOutput<K>>>
    : (input: ChannelInput<K>) => Promise<IpcResult<ChannelOutput<K>>>;
};

/** Global name of the bridge object in the renderer. */
export const BRIDGE_NAME = 'keywitness';

/** Channel name → contract key, for the main process's dispatcher. */
export function channelKey(channel: string): ChannelName | null {
  for (const key of Object.keys(CONTRACT) as ChannelName[]) {
    if (CONTRACT[key].channel === channel) return key;
  }
  return null;
}

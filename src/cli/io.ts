/** What a CLI command may touch: its output streams. Commands return their exit code. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Write bytes to standard output exactly as they are (for `qr decode --raw`). */
  readonly stdoutBytes: (bytes: Uint8Array) => void;
}

/** A CLI command: parses its own arguments, returns the process exit code. */
export type CliCommand = (args: readonly string[], io: CliIo) => Promise<number>;

/**
 * Run the CLI in-process as a user would from the shell, collecting what it prints: the tests of
 * every command read its exit code and its two streams the same way.
 */
import { main } from '../../src/cli/main.js';

/** What one CLI run printed and returned. */
export interface CliRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** `keywitness ARGS…`, with standard output and standard error captured as text. */
export async function runCli(...args: string[]): Promise<CliRun> {
  let out = '';
  let err = '';
  const code = await main(args, {
    stdout: (t) => void (out += t),
    stderr: (t) => void (err += t),
    stdoutBytes: () => undefined,
  });
  return { code, out, err };
}

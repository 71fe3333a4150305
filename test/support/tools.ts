/**
 * Tests that drive Debian's tools (SoftHSM2, OpenSSL, BIND) skip where a tool is missing, saying
 * so on the console; in CI, where `.ci/run` installs every one of them, a missing tool fails the
 * file instead, so a skip can never stand in for a pass there.
 */
export function missingTool(present: boolean, what: string): boolean {
  if (present) return false;
  if (process.env.CI)
    throw new Error(
      `${what} is not installed, but .ci/run installs it: the tests that need it cannot be skipped in CI`,
    );
  console.warn(`skipped: ${what} is not installed (.ci/run installs it)`);
  return true;
}

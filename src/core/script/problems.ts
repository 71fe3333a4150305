/**
 * The problems of one script, collected so `script lint` reports every one it can in a single run
 * (each a SCRIPT_INVALID KeywitnessError naming its YAML path and line, the one error type the
 * parser throws). A part of the script that fails is recorded and skipped, and parsing goes on
 * with its siblings; a script with any problem is never returned.
 */
import { isKeywitnessError, type KeywitnessError } from '../errors.js';

/** Most problems reported for one file: enough to fix a script, bounded for a hostile one. */
export const MAX_SCRIPT_PROBLEMS = 100;

/** The problems found so far, in the order the parser met them (file order). */
export class ScriptProblems {
  readonly list: KeywitnessError[] = [];
  /** Problems beyond MAX_SCRIPT_PROBLEMS, counted but not kept. */
  dropped = 0;

  /** Record a problem. */
  report(e: KeywitnessError): void {
    if (this.list.length < MAX_SCRIPT_PROBLEMS) this.list.push(e);
    else this.dropped++;
  }

  /**
   * Run `read`; a SCRIPT_INVALID it throws is recorded and undefined returned, so the caller can go
   * on with the next part. Any other error is not the script's problem and propagates.
   */
  attempt<T>(read: () => T): T | undefined {
    try {
      return read();
    } catch (e) {
      if (!isKeywitnessError(e, 'SCRIPT_INVALID')) throw e;
      this.report(e);
      return undefined;
    }
  }

  get empty(): boolean {
    return this.list.length === 0;
  }
}

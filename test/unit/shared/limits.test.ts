/**
 * Each size limit is defined once and imported where it applies (docs/architecture.md, "Limits"):
 * an import never accepts a file core then refuses for its size, and the journal, the IPC contract
 * and export agree on a record, a read and a file.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isKeywitnessError } from '../../../src/core/errors.js';
import { MAX_EVIDENCE_BYTES } from '../../../src/core/evidence/der.js';
import { DEFAULT_MAX_SCRIPT_BYTES } from '../../../src/core/script/source-text.js';
import { MAX_BUNDLE_BYTES, MAX_RECEIPT_BYTES } from '../../../src/core/session/files.js';
import { importFile } from '../../../src/node/files.js';
import { IMPORT_LIMITS, IMPORT_VALIDATORS } from '../../../src/node/import-kinds.js';
import { DEFAULT_MAX_RECORD_BYTES } from '../../../src/node/journal-format.js';
import { LIMITS } from '../../../src/shared/ipc.js';

describe('one definition per limit', () => {
  it('imports are bounded by the limits core parses with', () => {
    expect(IMPORT_LIMITS).toEqual({
      script: DEFAULT_MAX_SCRIPT_BYTES,
      bundle: MAX_BUNDLE_BYTES,
      receipt: MAX_RECEIPT_BYTES,
      evidence: MAX_EVIDENCE_BYTES,
    });
    expect([MAX_RECEIPT_BYTES, MAX_EVIDENCE_BYTES]).toEqual([8 * 1024 * 1024, 1024 * 1024]);
  });

  it('the journal record limit is the IPC contract one, and export takes what a bundle may be', () => {
    expect(DEFAULT_MAX_RECORD_BYTES).toBe(LIMITS.journalRecordBytes);
    expect(LIMITS.exportBytes).toBe(MAX_BUNDLE_BYTES);
  });

  it.each([
    ['evidence', MAX_EVIDENCE_BYTES],
    ['receipt', MAX_RECEIPT_BYTES],
  ] as const)('an imported %s one byte over core’s limit is refused before it is read', async (kind, limit) => {
    const file = join(mkdtempSync(join(tmpdir(), 'kw-limits-')), `big.${kind}`);
    writeFileSync(file, new Uint8Array(limit + 1));
    const e: unknown = await importFile(file, IMPORT_LIMITS[kind], IMPORT_VALIDATORS[kind]).catch((x: unknown) => x);
    expect(isKeywitnessError(e, 'INPUT_TOO_LARGE')).toBe(true);
    expect((e as Error).message).toContain(`is ${limit + 1} bytes; at most ${limit} are accepted`);
  });
});

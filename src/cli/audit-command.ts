/** `keywitness audit BUNDLE [--receipt FILE]… [--json]`: exit 0 only with zero findings. */
import { auditBundle } from '../core/audit/audit.js';
import { formatAuditReport } from '../core/audit/report-text.js';
import { checkEvidence } from '../core/evidence/checks.js';
import { MAX_BUNDLE_BYTES, MAX_RECEIPT_BYTES, decodeBundle, decodeReceipt } from '../core/session/files.js';
import { KeywitnessError } from '../core/errors.js';
import { installCryptoEngine } from '../node/crypto-engine.js';
import { UsageError, parseCommandArgs } from './args.js';
import type { CliCommand } from './io.js';
import { readFileLimited } from './read.js';

export const AUDIT_USAGE = 'keywitness audit BUNDLE [--receipt FILE]... [--json]';

export const runAudit: CliCommand = async (args, io) => {
  const { values, positionals } = parseCommandArgs(args, {
    receipt: { type: 'string', multiple: true },
    json: { type: 'boolean' },
  });
  const [bundlePath, ...extra] = positionals;
  if (bundlePath === undefined || extra.length > 0) throw new UsageError(`usage: ${AUDIT_USAGE}`);
  const bundle = withFile(bundlePath, decodeBundle, await readFileLimited(bundlePath, MAX_BUNDLE_BYTES));
  const receipts = [];
  for (const path of values.receipt ?? [])
    receipts.push(withFile(path, decodeReceipt, await readFileLimited(path, MAX_RECEIPT_BYTES)));
  installCryptoEngine();
  const report = await auditBundle(bundle, receipts, { checker: checkEvidence });
  if (values.json) io.stdout(JSON.stringify(report.findings, null, 2) + '\n');
  else io.stdout(formatAuditReport(report));
  return report.findings.length === 0 ? 0 : 1;
};

/** Parse a file's bytes, naming the file in any error. */
function withFile<T>(path: string, parse: (bytes: Uint8Array) => T, bytes: Uint8Array): T {
  try {
    return parse(bytes);
  } catch (e) {
    if (e instanceof KeywitnessError) throw new KeywitnessError(e.code, e.message, { where: path, cause: e });
    throw e;
  }
}

/**
 * `keywitness audit BUNDLE [--receipt FILE]… [--expect-script SHA256] [--expect-coordinator
 * FINGERPRINT] [--json]`: exit 0 only with zero findings. The verdict, the receipts accounted for
 * and the unpinned roles come from core (`auditSession`); this prints them.
 */
import { auditJson } from '../core/audit/report-json.js';
import { formatAuditReport } from '../core/audit/report-text.js';
import { auditSession, parseExpectedDigest, type AuditExpectations } from '../core/audit/verdict.js';
import { checkEvidence } from '../core/evidence/checks.js';
import { MAX_BUNDLE_BYTES, MAX_RECEIPT_BYTES, decodeBundle, decodeReceipt } from '../core/session/files.js';
import { sha256 } from '../core/util/hash.js';
import { installCryptoEngine } from '../node/crypto-engine.js';
import { UsageError, parseCommandArgs } from './args.js';
import { AUDIT_SPEC, usageOf } from './commands.js';
import type { CliCommand } from './io.js';
import { readKind, withFile } from './read.js';
import { exportAuditPdf } from './print-command.js';

export const AUDIT_USAGE = usageOf(AUDIT_SPEC);

export const runAudit: CliCommand = async (args, io) => {
  const { values, positionals } = parseCommandArgs(args, AUDIT_SPEC.options);
  const [bundlePath, ...extra] = positionals;
  if (bundlePath === undefined || extra.length > 0) throw new UsageError(`usage: ${AUDIT_USAGE}`);
  const script = values['expect-script'];
  const coordinator = values['expect-coordinator'];
  const expect: AuditExpectations = {
    ...(script !== undefined ? { script: parseExpectedDigest(script, '--expect-script') } : {}),
    ...(coordinator !== undefined ? { coordinator: parseExpectedDigest(coordinator, '--expect-coordinator') } : {}),
  };
  // Every file is read (each refused unless a regular file within its limit) before any is parsed.
  const bundleBytes = await readKind(bundlePath, 'bundle', MAX_BUNDLE_BYTES);
  const receiptFiles: { path: string; bytes: Uint8Array }[] = [];
  for (const path of values.receipt ?? [])
    receiptFiles.push({ path, bytes: await readKind(path, 'receipt', MAX_RECEIPT_BYTES) });
  const bundle = withFile(bundlePath, decodeBundle, bundleBytes);
  const receipts = receiptFiles.map(({ path, bytes }) => withFile(path, decodeReceipt, bytes));
  installCryptoEngine();
  const result = await auditSession(bundle, receipts, { checker: checkEvidence, expect });
  const bundleSha256 = sha256(bundleBytes);
  if (values.pdf !== undefined) await exportAuditPdf(result, { bundleSha256 }, values.pdf, io);
  if (values.json) io.stdout(JSON.stringify(auditJson(result, bundleSha256), null, 2) + '\n');
  else io.stdout(formatAuditReport(result, { bundleSha256 }));
  return result.findings.length === 0 ? 0 : 1;
};

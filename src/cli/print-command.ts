/**
 * `keywitness script print FILE --out F.pdf` (the printed ceremony worksheet) and the PDF that
 * `keywitness audit … --pdf F.pdf` writes. Core builds each document (`worksheetDocument`,
 * `auditReportDocument`); src/node/pdf lays it out; the file is written through `exportFiles`, so
 * an existing file is never overwritten and a failed write leaves nothing behind.
 */
import { basename, dirname } from 'node:path';
import type { AuditResult } from '../core/audit/verdict.js';
import type { PrintDocument } from '../core/print/document.js';
import { worksheetDocument } from '../core/print/worksheet.js';
import { auditReportDocument } from '../core/print/audit-report.js';
import { lintScript } from '../core/script/parse.js';
import { DEFAULT_MAX_SCRIPT_BYTES } from '../core/script/source-text.js';
import { exportFiles } from '../node/files.js';
import { writePdf } from '../node/pdf/write-pdf.js';
import { UsageError, parseCommandArgs } from './args.js';
import { SCRIPT_PRINT_SPEC, usageOf } from './commands.js';
import type { CliCommand, CliIo } from './io.js';
import { readKind } from './read.js';

export const PRINT_USAGE = usageOf(SCRIPT_PRINT_SPEC);

/** Render `doc` and write it to `out` (never overwriting); `say` is told what was written. */
async function exportPdf(doc: PrintDocument, out: string, say: (line: string) => void): Promise<void> {
  const pdf = await writePdf(doc);
  const [written] = await exportFiles(dirname(out), [{ name: basename(out), bytes: pdf.bytes }]);
  if (written)
    say(`wrote ${written.path}: ${pdf.pages} page${pdf.pages === 1 ? '' : 's'}, SHA-256 ${written.sha256Hex}\n`);
}

/**
 * `script print`: `args` start after `print` (main answers `--help` from SCRIPT_PRINT_SPEC). The
 * script is refused as `script hash` refuses it: with `script lint`'s first error.
 */
export const runScriptPrint: CliCommand = async (args, io) => {
  const { values, positionals } = parseCommandArgs(args, SCRIPT_PRINT_SPEC.options);
  const [file, ...rest] = positionals;
  if (file === undefined || rest.length > 0 || values.out === undefined) throw new UsageError(`usage: ${PRINT_USAGE}`);
  const { script, problems } = lintScript(await readKind(file, 'script', DEFAULT_MAX_SCRIPT_BYTES));
  if (!script) throw problems[0] ?? new Error('a refused script with no problem');
  await exportPdf(worksheetDocument(script), values.out, io.stdout);
  return 0;
};

/** Add `script print` to the `script` command: `print` goes here, every other subcommand to `script`. */
export function withScriptPrint(script: CliCommand): CliCommand {
  return (args, io) => (args[0] === 'print' ? runScriptPrint(args.slice(1), io) : script(args, io));
}

/**
 * Write the audit report as a PDF (`audit --pdf F.pdf`), from the result the text report prints.
 * What was written goes to standard error, so `audit --json --pdf` still prints only JSON.
 */
export async function exportAuditPdf(
  result: AuditResult,
  file: { readonly bundleSha256: Uint8Array },
  out: string,
  io: CliIo,
): Promise<void> {
  await exportPdf(auditReportDocument(result, file), out, io.stderr);
}

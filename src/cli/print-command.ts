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
import { parseScript } from '../core/script/parse.js';
import { DEFAULT_MAX_SCRIPT_BYTES } from '../core/script/source-text.js';
import { exportFiles } from '../node/files.js';
import { writePdf } from '../node/pdf/write-pdf.js';
import { UsageError, parseCommandArgs } from './args.js';
import type { CliCommand, CliIo } from './io.js';
import { readFileLimited } from './read.js';

export const PRINT_USAGE = 'keywitness script print FILE --out F.pdf';

const PRINT_HELP = `usage: ${PRINT_USAGE}
Writes the printable ceremony worksheet of script FILE as a PDF: the script hash as hex and 32
numbered PGP words, the roles, and per step its instructions, inputs with expected values,
evidence with what is checked, who acknowledges, boxes for initials and times, and space for
exceptions. FILE is refused exactly as \`script lint\` refuses it.
options:
  --out F.pdf   the PDF to write (required; never overwritten: an existing file is refused)
  --help        print this help
`;

/** Render `doc` and write it to `out` (never overwriting); `say` is told what was written. */
async function exportPdf(doc: PrintDocument, out: string, say: (line: string) => void): Promise<void> {
  const pdf = await writePdf(doc);
  const [written] = await exportFiles(dirname(out), [{ name: basename(out), bytes: pdf.bytes }]);
  if (written)
    say(`wrote ${written.path}: ${pdf.pages} page${pdf.pages === 1 ? '' : 's'}, SHA-256 ${written.sha256Hex}\n`);
}

/** `script print`: `args` start after `print`. */
export const runScriptPrint: CliCommand = async (args, io) => {
  const { values, positionals } = parseCommandArgs(args, { out: { type: 'string' }, help: { type: 'boolean' } });
  if (values.help) {
    io.stdout(PRINT_HELP);
    return 0;
  }
  const [file, ...rest] = positionals;
  if (file === undefined || rest.length > 0 || values.out === undefined) throw new UsageError(`usage: ${PRINT_USAGE}`);
  const script = parseScript(await readFileLimited(file, DEFAULT_MAX_SCRIPT_BYTES));
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

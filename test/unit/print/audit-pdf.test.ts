/**
 * `keywitness audit BUNDLE … --pdf F.pdf` over demos written to a temp folder: the PDF's text
 * (poppler's pdftotext) holds every line of the text report, in order, for a clean session and
 * for one with findings; the exit code and standard output are the audit's own (`--json` stays
 * pure JSON); an existing --pdf file is refused and left unchanged.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { missingTool } from '../../support/tools.js';
import { runCli } from '../../support/cli.js';

const havePoppler = spawnSync('sh', ['-c', 'command -v pdftotext']).status === 0;

const run = runCli;

/** The PDF's text without any whitespace: line wrapping and page breaks cannot hide a difference. */
function pdfText(file: string): string {
  const r = spawnSync('pdftotext', [file, '-'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`pdftotext failed: ${r.stderr}`);
  return r.stdout.replace(/\s+/g, '');
}

/** Every line of `report` occurs in `text`, in order (whitespace ignored); returns the first that does not. */
function firstMissing(report: string, text: string): string | undefined {
  let from = 0;
  for (const line of report.split('\n')) {
    const bare = line.replace(/\s+/g, '');
    if (!bare) continue;
    const at = text.indexOf(bare, from);
    if (at < 0) return line;
    from = at + bare.length;
  }
  return undefined;
}

interface Demo {
  bundle: string;
  receipts: string[];
}

let dir: string;
const demos: Record<string, Demo> = {};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kw-audit-pdf-'));
  for (const scenario of ['objection', 'dropped-objection']) {
    const out = join(dir, scenario);
    await run('demo', '--scenario', scenario, '--out', out);
    const files = await readdir(out);
    demos[scenario] = {
      bundle: join(out, 'session.keywitness.json'),
      receipts: files.filter((f) => f.endsWith('.receipt.json')).map((f) => join(out, f)),
    };
  }
}, 180_000);

const demo = (scenario: string): Demo => {
  const d = demos[scenario];
  if (!d) throw new Error(`no demo ${scenario}`);
  return d;
};
const receiptArgs = (d: Demo): string[] => d.receipts.flatMap((r) => ['--receipt', r]);

describe.skipIf(missingTool(havePoppler, 'poppler-utils (pdftotext)'))('audit --pdf', () => {
  it.each([
    { scenario: 'objection', code: 0 },
    { scenario: 'dropped-objection', code: 1 },
  ])(
    '$scenario: the PDF has every line of the text report, in order (exit $code)',
    async ({ scenario, code }) => {
      const d = demo(scenario);
      const text = await run('audit', d.bundle, ...receiptArgs(d));
      expect(text.code).toBe(code);
      const pdf = join(dir, `${scenario}.pdf`);
      const r = await run('audit', d.bundle, ...receiptArgs(d), '--pdf', pdf);
      expect(r.code).toBe(code);
      expect(r.out).toBe(text.out);
      expect(r.err).toMatch(new RegExp(`^wrote ${pdf}: \\d+ pages?, SHA-256 [0-9a-f]{64}\\n$`));
      const extracted = pdfText(pdf);
      expect(firstMissing(text.out, extracted)).toBeUndefined();
      expect(extracted).toContain('Keywitnessauditreport');
      if (code === 1) expect(extracted).toContain('Findings(');
    },
    60_000,
  );

  it('with --json, standard output is still the JSON document alone', async () => {
    const d = demo('objection');
    const pdf = join(dir, 'json.pdf');
    const r = await run('audit', d.bundle, '--json', '--pdf', pdf);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.out) as { format: string }).format).toBe('keywitness-audit/1');
    expect(r.err).toMatch(/^wrote .*json\.pdf: /);
  }, 60_000);

  it('never overwrites: an existing --pdf file is refused (exit 2), unchanged, and no report is printed', async () => {
    const d = demo('objection');
    const pdf = join(dir, 'existing.pdf');
    await writeFile(pdf, 'an earlier report');
    const r = await run('audit', d.bundle, '--pdf', pdf);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/^keywitness audit: ALREADY_EXISTS: .*existing\.pdf: exists already/);
    expect(await readFile(pdf, 'utf8')).toBe('an earlier report');
  }, 60_000);
});

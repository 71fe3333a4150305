/**
 * `keywitness compare BUNDLE_A BUNDLE_B [--json]`: both bundles are audited, then compared step by
 * step (src/core/audit/compare.ts decides what differs and whether it needs explaining; this prints
 * it). Exit 0 when nothing unexpected differs, 1 when something does, 2 for unreadable input or
 * bundles of different scripts.
 */
import { auditBundle } from '../core/audit/audit.js';
import { compareSessions, type Comparison } from '../core/audit/compare.js';
import { checkEvidence } from '../core/evidence/checks.js';
import { KeywitnessError } from '../core/errors.js';
import { MAX_BUNDLE_BYTES, decodeBundle } from '../core/session/files.js';
import { toHex } from '../core/util/bytes.js';
import { sha256 } from '../core/util/hash.js';
import { installCryptoEngine } from '../node/crypto-engine.js';
import { UsageError, parseCommandArgs } from './args.js';
import { COMPARE_SPEC, usageOf } from './commands.js';
import type { CliCommand } from './io.js';
import { readKind, withFile } from './read.js';

export const COMPARE_USAGE = usageOf(COMPARE_SPEC);

function formatComparison(c: Comparison, a: string, b: string): string {
  const lines = [
    c.unexpected === 0
      ? `Nothing unexpected differs between A (${a}) and B (${b}).`
      : `${c.unexpected} unexpected difference(s) between A (${a}) and B (${b}): each needs an explanation.`,
    '',
  ];
  for (const s of c.steps) {
    if (s.unexpected.length === 0 && s.expected.length === 0) continue;
    lines.push(s.step === undefined ? 'Session' : `Step ${s.step}`);
    for (const u of s.unexpected) lines.push(`  DIFFERS  ${u}`);
    for (const e of s.expected) lines.push(`  expected ${e}`);
  }
  return `${lines.join('\n')}\n`;
}

export const runCompare: CliCommand = async (args, io) => {
  const { values, positionals } = parseCommandArgs(args, COMPARE_SPEC.options);
  const [pathA, pathB, ...extra] = positionals;
  if (pathA === undefined || pathB === undefined || extra.length > 0) throw new UsageError(`usage: ${COMPARE_USAGE}`);
  const bundles = [];
  for (const path of [pathA, pathB]) {
    bundles.push(withFile(path, decodeBundle, await readKind(path, 'bundle', MAX_BUNDLE_BYTES)));
  }
  const [a, b] = bundles;
  if (!a || !b) throw new UsageError(`usage: ${COMPARE_USAGE}`);
  const [ha, hb] = [toHex(sha256(a.script)), toHex(sha256(b.script))];
  if (ha !== hb) {
    throw new KeywitnessError(
      'INPUT_INVALID',
      `the bundles are sessions of different scripts (${ha.slice(0, 16)}… and ${hb.slice(0, 16)}…): compare a rehearsal with the production run of the same script`,
      { where: pathB },
    );
  }
  installCryptoEngine();
  const [ra, rb] = await Promise.all([
    auditBundle(a, [], { checker: checkEvidence }),
    auditBundle(b, [], { checker: checkEvidence }),
  ]);
  const comparison = await compareSessions(ra, rb);
  if (values.json) {
    io.stdout(`${JSON.stringify({ format: 'keywitness-compare/1', a: pathA, b: pathB, ...comparison }, null, 2)}\n`);
  } else {
    io.stdout(formatComparison(comparison, pathA, pathB));
  }
  return comparison.unexpected === 0 ? 0 : 1;
};

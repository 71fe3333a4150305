/**
 * Two sessions of one script side by side, as `keywitness compare` reports them: core's
 * `compareSessions` decides what differs and whether it needs explaining; this only lays it out.
 * Unexpected differences come first, step by step, each to be explained; the differences every
 * real run has (keys, serials, digests, times, typed values) are listed apart, below them.
 */
import type { Comparison, StepDifferences } from '../../../src/core/audit/compare.js';

const place = (s: StepDifferences): string => (s.step === undefined ? 'Session' : `Step ${s.step}`);

/** The comparison of bundle A (the one audited above) with bundle B. */
export function ComparisonView({ comparison, a, b }: { comparison: Comparison; a: string; b: string }) {
  const unexpected = comparison.steps.filter((s) => s.unexpected.length > 0);
  const expected = comparison.steps.filter((s) => s.expected.length > 0);
  const expectedCount = expected.reduce((n, s) => n + s.expected.length, 0);
  const clean = comparison.unexpected === 0;
  return (
    <section
      className="kw-comparison"
      aria-labelledby="comparison-title"
      data-testid="comparison"
      data-unexpected={comparison.unexpected}
    >
      <h2 id="comparison-title">Compared with another session of the same script</h2>
      <p className={clean ? 'kw-ok' : 'kw-bad'} data-testid="comparison-headline">
        {clean
          ? `Nothing unexpected differs between A (${a}) and B (${b}).`
          : `${comparison.unexpected} unexpected difference(s) between A (${a}) and B (${b}): each needs an explanation.`}
      </p>
      {unexpected.length > 0 && (
        <ol className="kw-differences" data-testid="comparison-unexpected">
          {unexpected.map((s) => (
            <li key={place(s)} data-step={s.step ?? 'session'}>
              <strong>{place(s)}</strong>
              <ul className="kw-list">
                {s.unexpected.map((u, i) => (
                  <li key={i}>{u}</li>
                ))}
              </ul>
            </li>
          ))}
        </ol>
      )}
      <details className="kw-expected-differences" data-testid="comparison-expected">
        <summary>
          Expected differences ({expectedCount}): every real run has other keys, serials, digests, times and typed
          values; these are not findings.
        </summary>
        <ul className="kw-list">
          {expected.map((s) => (
            <li key={place(s)} data-step={s.step ?? 'session'}>
              {place(s)}
              <ul className="kw-list">
                {s.expected.map((e, i) => (
                  <li key={i}>{e}</li>
                ))}
              </ul>
            </li>
          ))}
        </ul>
      </details>
    </section>
  );
}

/** Check results with what the script expected next to what was observed; failures stand out. */
import type { CheckResult } from '../../src/core/checks.js';

export function CheckTable({
  checks,
  caption,
  testId,
}: {
  checks: readonly CheckResult[];
  caption: string;
  testId?: string;
}) {
  if (checks.length === 0) return <p className="kw-muted">{caption}: no checks declared for this step.</p>;
  const failed = checks.filter((c) => !c.ok).length;
  return (
    <table className="kw-checks" data-testid={testId}>
      <caption>
        {caption}: {failed === 0 ? `all ${checks.length} pass` : `${failed} of ${checks.length} FAIL`}
      </caption>
      <thead>
        <tr>
          <th scope="col">Result</th>
          <th scope="col">Check</th>
          <th scope="col">Expected</th>
          <th scope="col">Observed</th>
        </tr>
      </thead>
      <tbody>
        {checks.map((c) => (
          <tr key={c.id} className={c.ok ? 'kw-pass' : 'kw-fail'} data-check={c.id} data-ok={c.ok}>
            <td>
              <strong>{c.ok ? 'PASS' : 'FAIL'}</strong>
            </td>
            <td>
              <code>{c.id}</code>
            </td>
            <td>{c.expected}</td>
            <td>{c.observed}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

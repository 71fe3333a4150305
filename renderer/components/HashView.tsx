/**
 * A hash or fingerprint as people compare it: large PGP words (docs/architecture.md,
 * "Formats: identities and signatures"; the first four identify, all 32 confirm) and hex, grouped
 * for reading aloud.
 */
import { Fragment } from 'react';
import { SPOKEN_WORD_COUNT, toWords } from '../../src/core/protocol/words.js';
import { toHex } from '../../src/core/util/bytes.js';

function groupHex(hex: string): string {
  return hex.replace(/(.{8})/g, '$1 ').trim();
}

export function HashView({
  bytes,
  label,
  size = 'large',
  testId,
}: {
  bytes: Uint8Array;
  label: string;
  size?: 'large' | 'normal';
  testId?: string;
}) {
  const words = toWords(bytes);
  return (
    <figure className={`kw-hash kw-hash-${size}`} data-testid={testId}>
      <figcaption>{label}</figcaption>
      <p className="kw-words-strong" data-testid={testId ? `${testId}-words` : undefined}>
        {words.map((w, i) => (
          // The space sits outside the no-wrap word so the line may break between words.
          <Fragment key={i}>
            <span className={i < SPOKEN_WORD_COUNT ? 'kw-word kw-word-id' : 'kw-word'}>
              <span className="kw-word-n" aria-hidden="true">
                {i + 1}
              </span>
              {w}
            </span>{' '}
          </Fragment>
        ))}
      </p>
      <p className="kw-hex" data-testid={testId ? `${testId}-hex` : undefined}>
        {groupHex(toHex(bytes))}
      </p>
    </figure>
  );
}

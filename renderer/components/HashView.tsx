/**
 * A hash or fingerprint as people compare it: large PGP words (docs/architecture.md,
 * "Formats: identities and signatures"; the first four identify, all 32 confirm) and hex. Beside
 * a command that prints the value, the hex is given exactly as that command prints it (core's
 * `comparableFingerprints`); otherwise it is grouped for reading aloud.
 */
import { Fragment } from 'react';
import { SPOKEN_WORD_COUNT, toWords } from '../../src/core/protocol/words.js';
import { toHex } from '../../src/core/util/bytes.js';

function groupHex(hex: string): string {
  return hex.replace(/(.{8})/g, '$1 ').trim();
}

/** Hex as given; colon-separated hex may wrap after any colon, never inside a byte. */
function givenHex(hex: string) {
  const bytes = hex.split(':');
  return bytes.map((b, i) => (
    <Fragment key={i}>
      {b}
      {i < bytes.length - 1 && (
        <>
          :<wbr />
        </>
      )}
    </Fragment>
  ));
}

export function HashView({
  bytes,
  label,
  size = 'large',
  testId,
  hex,
  source,
}: {
  bytes: Uint8Array;
  label: string;
  size?: 'large' | 'normal';
  testId?: string;
  /** The hex as the independent source prints it; grouped lower-case hex when not given. */
  hex?: string;
  /** The command that shows the same value elsewhere, and where it runs. */
  source?: { readonly command: string; readonly where: string | undefined };
}) {
  const words = toWords(bytes);
  return (
    <figure className={`kw-hash kw-hash-${size}`} data-testid={testId}>
      <figcaption>
        {label}
        {source && (
          <span className="kw-hash-source">
            Independent source{source.where ? `, ${source.where}` : ''}: <code>{source.command}</code>
          </span>
        )}
      </figcaption>
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
      <p
        className={hex === undefined ? 'kw-hex' : 'kw-hex kw-hex-exact'}
        data-testid={testId ? `${testId}-hex` : undefined}
      >
        {hex === undefined ? groupHex(toHex(bytes)) : givenHex(hex)}
      </p>
    </figure>
  );
}

/**
 * Challenge confirmation (DESIGN §2 step 4): instead of an OK button, the witness types the words
 * at two random positions of a fingerprint, read from the independent source (the ceremony
 * laptop's screen, the paper form). The two hex digits of that byte are accepted too, since OpenSSL
 * prints fingerprints in hex. Positions are drawn once per review from the device's CSPRNG.
 */
import { useState } from 'react';
import { answerMatches, challengePositions } from '../../session/challenge.js';
import type { ComparableFingerprint } from '../../session/fingerprints.js';

export function WordChallenge({
  fingerprint,
  onPassed,
}: {
  fingerprint: ComparableFingerprint;
  onPassed: (passed: boolean) => void;
}) {
  const [positions] = useState(() => challengePositions(fingerprint.bytes.length));
  const [answers, setAnswers] = useState(['', '']);
  const [tried, setTried] = useState(false);
  const [passed, setPassed] = useState(false);
  const check = (): void => {
    const ok = positions.every((p, i) => answerMatches(fingerprint.bytes, p, answers[i]!));
    setTried(true);
    setPassed(ok);
    onPassed(ok);
  };
  return (
    <fieldset className="kw-challenge" data-testid="challenge" data-positions={positions.map((p) => p + 1).join(',')}>
      <legend>Compare with the independent source</legend>
      <p>
        Read the <strong>{fingerprint.label}</strong> from the independent source (<code>{fingerprint.how}</code>), not
        from this screen, and type the word (or the two hex digits) at each position.
      </p>
      {positions.map((p, i) => (
        <div className="kw-field" key={p}>
          <label htmlFor={`challenge-${i}`}>Word {p + 1} of 32</label>
          <input
            id={`challenge-${i}`}
            value={answers[i]}
            autoComplete="off"
            spellCheck={false}
            disabled={passed}
            onChange={(e) => {
              const next = [...answers];
              next[i] = e.target.value;
              setAnswers(next);
              setTried(false);
            }}
          />
        </div>
      ))}
      {!passed && (
        <button type="button" onClick={check} disabled={answers.some((a) => a.trim() === '')}>
          Check the words
        </button>
      )}
      {tried && !passed && (
        <p className="kw-bad" role="alert">
          At least one word does not match this device&apos;s fingerprint. Read the positions again from the independent
          source. If it really shows a different word, the evidence differs: object to the statement.
        </p>
      )}
      {passed && (
        <p className="kw-ok" role="status">
          Both words match the independent source.
        </p>
      )}
    </fieldset>
  );
}

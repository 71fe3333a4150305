/**
 * The word challenge as the witness sees it: instead of an OK button, they type the words at the
 * two positions the device drew, read from the independent source (the ceremony laptop's screen,
 * the paper form). The device's session checks each attempt, journals it and counts the tries; the
 * two hex digits of a byte are accepted too, since OpenSSL prints fingerprints in hex.
 */
import { useState } from 'react';
import type { ChallengeView } from '../../../src/core/session/participant-session.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';

export function WordChallenge({
  challenge,
  onAnswer,
}: {
  challenge: ChallengeView;
  onAnswer: (answers: readonly [string, string]) => Promise<void>;
}) {
  const [answers, setAnswers] = useState<[string, string]>(['', '']);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const { fingerprint, positions, passed, attempts, triesLeft } = challenge;
  if (!positions) return null;
  const check = async (): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      await onAnswer(answers);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const failed = attempts > 0 && !passed;
  return (
    <fieldset
      className="kw-challenge"
      data-testid="challenge"
      data-positions={positions.map((p) => p + 1).join(',')}
      data-tries-left={triesLeft}
    >
      <legend>Compare with the independent source</legend>
      <p>
        Read the <strong>{fingerprint.label}</strong> from the independent source
        {fingerprint.where ? `, ${fingerprint.where}` : ''} (<code>{fingerprint.command}</code>), not from this screen,
        and type the word (or the two hex digits) at each position.
      </p>
      {positions.map((p, i) => (
        <div className="kw-field" key={p}>
          <label htmlFor={`challenge-${i}`}>
            Word {p + 1} of {fingerprint.bytes.length}
          </label>
          <input
            id={`challenge-${i}`}
            value={answers[i]}
            autoComplete="off"
            spellCheck={false}
            disabled={passed || triesLeft <= 0}
            onChange={(e) => setAnswers(i === 0 ? [e.target.value, answers[1]] : [answers[0], e.target.value])}
          />
        </div>
      ))}
      {!passed && triesLeft > 0 && (
        <button type="button" onClick={() => void check()} disabled={busy || answers.some((a) => a.trim() === '')}>
          Check the words ({triesLeft} {triesLeft === 1 ? 'try' : 'tries'} left)
        </button>
      )}
      {failed && triesLeft > 0 && (
        <p className="kw-bad" role="alert">
          At least one word does not match this device&apos;s fingerprint. Read the positions again from the independent
          source. If it really shows a different word, the evidence differs: object to the statement.
        </p>
      )}
      {failed && triesLeft <= 0 && (
        <p className="kw-bad" role="alert" data-testid="challenge-exhausted">
          The words did not match in {attempts} tries. This device will not confirm: object, saying what the independent
          source shows.
        </p>
      )}
      {passed && (
        <p className="kw-ok" role="status">
          Both words match the independent source.
        </p>
      )}
      <ErrorNotice error={error} title="The attempt was not recorded" />
    </fieldset>
  );
}

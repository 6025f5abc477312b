// "Try it": a text as the voice would get it under the rules as they stand in the window,
// saved or not, so a rule can be checked before it is kept.
import { useId, useState } from 'react';
import type { PronunciationRule } from '../../../../shared/pronunciation';
import type { Bridge } from '../../state/bridge';

/** The test field, its button and the text after the rules. */
export function TryPronunciation({ bridge, rules }: { bridge: Bridge; rules: PronunciationRule[] }) {
  const [text, setText] = useState('');
  const [result, setResult] = useState('');
  const id = useId();

  const tryIt = (): void => {
    bridge.tryPronunciations({ rules, text }).then(
      (answer) => setResult(answer.ok ? answer.spoken || '(nothing to speak)' : `A rule is refused: rule ${answer.issues[0].index + 1}: ${answer.issues[0].message}`),
      (error: Error) => setResult(error.message),
    );
  };

  return (
    <div className="field with-actions">
      <label>
        <span className="label">Try a text</span>
        <input
          data-testid="pron-try-text"
          maxLength={10_000}
          value={text}
          aria-describedby={`${id}-result`}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') tryIt();
          }}
        />
      </label>
      <span className="actions">
        <button type="button" data-testid="pron-try" disabled={!text.trim()} onClick={tryIt}>
          Try it
        </button>
      </span>
      <output id={`${id}-result`} className="try-result" data-testid="pron-try-result" aria-live="polite">
        {result && (
          <>
            <span className="label">The voice gets: </span>
            {result}
          </>
        )}
      </output>
    </div>
  );
}

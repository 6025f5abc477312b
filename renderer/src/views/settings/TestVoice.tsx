// "Test voice": the session speaks a sentence with the settings as they are, in the player
// like any other text, and this says how soon it was heard.
import { useEffect, useRef, useState } from 'react';
import type { AudioFormat } from '../../../../shared/audio-format';
import type { SessionView } from '../../../../shared/session';
import type { Bridge } from '../../state/bridge';

const SAMPLE = 'This is how I sound with these settings.';

/** The button and its result. */
export function TestVoice({ bridge, format }: { bridge: Bridge; format: AudioFormat }) {
  const [result, setResult] = useState('');
  const [testing, setTesting] = useState(false);
  /** The utterance this button started, once the session has shown it. */
  const mine = useRef<number | null>(null);
  const asked = useRef(false);

  useEffect(() => {
    const follow = (view: SessionView): void => {
      if (asked.current && view.current && bridge.textOf(view.current.textId) === SAMPLE && mine.current === null) mine.current = view.current.id;
      const id = mine.current;
      if (id === null) return;
      const timing = view.timing?.id === id ? view.timing : null;
      if (timing?.firstHeardAt && timing.requestedAt) setResult(`First audio heard after ${Math.round(timing.firstHeardAt - timing.requestedAt)} ms.`);
      else if (view.current?.id === id && view.error) setResult(view.error);
      if (view.current?.id !== id) {
        asked.current = false;
        mine.current = null;
        setTesting(false);
      }
    };
    void bridge.sessionView().then(follow, () => {});
    return bridge.onSession(follow);
  }, [bridge]);

  const test = (): void => {
    setTesting(true);
    setResult('Speaking…');
    asked.current = true;
    mine.current = null;
    bridge.speak({ texts: [SAMPLE], format }).catch((error: Error) => {
      setTesting(false);
      setResult(error.message);
    });
  };

  return (
    <div className="row">
      <button type="button" data-testid="test-voice" disabled={testing} onClick={test}>
        Test voice
      </button>
      <span data-testid="test-result" role="status">
        {result}
      </span>
    </div>
  );
}

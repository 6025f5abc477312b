// "Test voice": speaks a sentence with the settings as they are, through the same audio
// path as the player, and says how soon it was heard.
import { useEffect, useMemo } from 'react';
import type { AudioFormat } from '../../../../shared/audio-format';
import type { Bridge } from '../../state/bridge';
import { PlayerController } from '../../state/player-controller';
import { usePlayerStore } from '../../state/player-store';

/** The button and its result. */
export function TestVoice({ bridge, format }: { bridge: Bridge; format: AudioFormat }) {
  const tester = useMemo(() => new PlayerController(bridge), [bridge]);
  const firstAudio = usePlayerStore((s) => s.firstAudio);
  const error = usePlayerStore((s) => s.error);
  const testing = usePlayerStore((s) => s.busy);
  useEffect(() => {
    let frame = 0;
    const tick = (): void => {
      tester.frame();
      frame = requestAnimationFrame(tick);
    };
    frame = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(frame);
  }, [tester]);
  return (
    <div className="row">
      <button type="button" data-testid="test-voice" disabled={testing} onClick={() => void tester.speak('This is how I sound with these settings.', format)}>
        Test voice
      </button>
      <span data-testid="test-result" role="status">
        {error ? error : firstAudio ? `First audio heard after ${firstAudio.totalMs} ms.` : testing ? 'Speaking…' : ''}
      </span>
    </div>
  );
}

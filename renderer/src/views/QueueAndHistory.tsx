import type { PlayerController } from '../state/player-controller';
import { usePlayerStore } from '../state/player-store';

/** The first words of a text, for a one-line list entry. */
function preview(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 80 ? `${line.slice(0, 79)}…` : line;
}

/** What waits its turn, and what was spoken lately with a Replay button. */
export function QueueAndHistory({ controller }: { controller: PlayerController }) {
  const queued = usePlayerStore((s) => s.queued);
  const history = usePlayerStore((s) => s.history);
  const format = usePlayerStore((s) => s.format);
  if (!queued.length && !history.length) return null;
  return (
    <section className="lists" aria-label="Queue and history">
      {queued.length > 0 && (
        <div>
          <h2>Up next</h2>
          <ol data-testid="queue">
            {queued.map((text, i) => (
              <li key={i}>{preview(text)}</li>
            ))}
          </ol>
        </div>
      )}
      {history.length > 0 && (
        <div>
          <h2>Recently spoken</h2>
          <ul data-testid="history">
            {history.map((text) => (
              <li key={text}>
                <button
                  type="button"
                  data-testid="replay"
                  // Several "Replay" buttons in a row: each says what it replays.
                  aria-label={`Replay: ${preview(text)}`}
                  onClick={() => {
                    usePlayerStore.getState().set({ text });
                    void controller.speak(text, format);
                  }}
                >
                  Replay
                </button>{' '}
                {preview(text)}
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}

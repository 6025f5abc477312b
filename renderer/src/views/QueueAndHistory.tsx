import { previewOf as preview } from '../../../shared/session';
import type { PlayerController } from '../state/player-controller';
import { usePlayerStore } from '../state/player-store';

/**
 * What waits its turn (each can be taken out), and what was spoken lately with a Replay
 * button; a text that failed says so, and why, and its button tries it again.
 */
export function QueueAndHistory({ controller, onSave }: { controller: PlayerController; onSave?: (textId: number) => void }) {
  const queued = usePlayerStore((s) => s.queued);
  const history = usePlayerStore((s) => s.history);
  const format = usePlayerStore((s) => s.format);
  if (!queued.length && !history.length) return null;
  return (
    <section className="card lists" aria-label="Queue and history">
      {queued.length > 0 && (
        <div>
          <h2>Up next</h2>
          <ol data-testid="queue">
            {queued.map((ref, i) => (
              <li key={i}>
                <button type="button" data-testid="unqueue" aria-label={`Remove from the queue: ${preview(ref.preview)}`} onClick={() => controller.unqueue(i, ref.textId)}>
                  Remove
                </button>{' '}
                <bdi>{preview(ref.preview)}</bdi>
              </li>
            ))}
          </ol>
        </div>
      )}
      {history.length > 0 && (
        <div>
          <h2>Recently spoken</h2>
          <ul data-testid="history">
            {history.map((ref) => (
              <li key={ref.textId} data-failed={ref.failed ? 'true' : undefined}>
                <button
                  type="button"
                  data-testid="replay"
                  // Several "Replay" buttons in a row: each says what it replays.
                  aria-label={`${ref.failed ? 'Try again' : 'Replay'}: ${preview(ref.preview)}`}
                  onClick={() => void controller.replay(ref.textId, format)}
                >
                  {ref.failed ? 'Try again' : 'Replay'}
                </button>{' '}
                {onSave && (
                  <>
                    <button type="button" data-testid="save-history" aria-label={`Save audio: ${preview(ref.preview)}`} title="Save audio…" onClick={() => onSave(ref.textId)}>
                      Save…
                    </button>{' '}
                  </>
                )}
                {ref.failed && (
                  <>
                    <strong className="history-failed" data-testid="history-failed" title={ref.failed}>
                      Failed<span className="visually-hidden">: {ref.failed}</span>
                    </strong>{' '}
                  </>
                )}
                <bdi>{preview(ref.preview)}</bdi>
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}

import { useState } from 'react';

/**
 * The player page. For now a text box and a Speak button that waits for the playback
 * pipeline (a later issue); the data-testids are the ones the browser tests will drive.
 */
export function App({ isolated = globalThis.crossOriginIsolated === true }: { isolated?: boolean }) {
  const [text, setText] = useState('');
  return (
    <main className="player">
      <h1>Utter</h1>
      {!isolated && (
        <p role="alert" className="alert" data-testid="not-isolated">
          This window is not cross-origin isolated, so Utter cannot play audio here.
        </p>
      )}
      <label htmlFor="text-input">Text to speak</label>
      <textarea id="text-input" data-testid="text-input" value={text} onChange={(e) => setText(e.target.value)} rows={8} />
      <button type="button" data-testid="speak" disabled title="Playback arrives with the player">
        Speak
      </button>
      <p data-testid="state">idle</p>
    </main>
  );
}

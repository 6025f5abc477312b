// Speech servers found on this computer, each offered as a one-press preset.
import { useEffect, useState } from 'react';
import type { LocalServer } from './provider-types';

/** Asks once, on open; a server already in use is said to be, with nothing to press. */
export function FoundServers({ find, inUse, use }: { find: () => Promise<LocalServer[]>; inUse: (server: LocalServer) => boolean; use: (server: LocalServer) => void }) {
  const [servers, setServers] = useState<LocalServer[]>([]);
  useEffect(() => {
    // Finding none, or failing to look, leaves nothing to offer: no message either way.
    find().then(setServers, () => setServers([]));
  }, [find]);
  if (!servers.length) return null;
  return (
    <ul className="found-servers">
      {servers.map((server) => (
        <li key={server.baseUrl} data-testid="found-server">
          <span>
            {server.label} found on this computer
            {server.voices?.length ? ` (${server.voices.length} voices)` : ''} —
          </span>
          {inUse(server) ? (
            <span className="hint">In use</span>
          ) : (
            <button type="button" onClick={() => use(server)}>
              Use it<span className="visually-hidden">: {server.label}</span>
            </button>
          )}
        </li>
      ))}
    </ul>
  );
}

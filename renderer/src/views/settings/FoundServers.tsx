// Speech servers found on this computer, each offered as a one-press preset.
import { useEffect, useState } from 'react';
import type { LocalServer } from '../../../../shared/renderer-api';
import type { Bridge } from '../../state/bridge';

/** Asks once, on open; a server already in use is said to be, with nothing to press. */
export function FoundServers({ bridge, inUse, use }: { bridge: Bridge; inUse: (server: LocalServer) => boolean; use: (server: LocalServer) => void }) {
  const [servers, setServers] = useState<LocalServer[]>([]);
  useEffect(() => {
    // Finding none, or failing to look, leaves nothing to offer: no message either way.
    bridge.localServers().then(setServers, () => setServers([]));
  }, [bridge]);
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
            // Named after its server too: two found servers would have two buttons "Use it".
            <button type="button" aria-label={`Use it: ${server.label}`} onClick={() => use(server)}>
              Use it
            </button>
          )}
        </li>
      ))}
    </ul>
  );
}

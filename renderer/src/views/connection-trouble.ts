// What is wrong with the page's connection to the app, for the page to say where it shows errors.
import { useEffect, useState } from 'react';
import type { Bridge } from '../state/bridge';

/** The connection's trouble in words, or '' while the page is connected (always, in Electron). */
export function useConnectionTrouble(bridge: Bridge): string {
  const [trouble, setTrouble] = useState('');
  useEffect(() => bridge.onConnection((now) => setTrouble(now ?? '')), [bridge]);
  return trouble;
}

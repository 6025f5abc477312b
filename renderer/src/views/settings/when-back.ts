import { useEffect, useRef } from 'react';

/**
 * Calls `refresh` when the user comes back to this window or tab (it gains the focus, or
 * shows again): what it shows may have been changed elsewhere meanwhile (another window,
 * a file edited by hand).
 */
export function useWhenBack(refresh: () => void): void {
  const latest = useRef(refresh);
  latest.current = refresh;
  useEffect(() => {
    const back = (): void => {
      if (document.visibilityState === 'visible') latest.current();
    };
    window.addEventListener('focus', back);
    document.addEventListener('visibilitychange', back);
    return () => {
      window.removeEventListener('focus', back);
      document.removeEventListener('visibilitychange', back);
    };
  }, []);
}

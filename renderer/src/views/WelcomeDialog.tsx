import { useEffect, useRef, useState } from 'react';
import type { Bridge } from '../state/bridge';
import { WelcomeView } from './WelcomeView';

/**
 * Under `utter web` the player page is where a browser user arrives: at the first start it
 * shows the welcome as a modal dialog over the player (Escape or the button closes it).
 */
export function WelcomeDialog({ bridge }: { bridge: Bridge }) {
  const [show, setShow] = useState(false);
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    bridge.appInfo().then((info) => setShow(info.welcome === true), () => {});
  }, [bridge]);
  useEffect(() => {
    if (show && dialog.current && !dialog.current.open) dialog.current.showModal();
  }, [show]);
  if (!show) return null;
  const done = (): void => {
    bridge.finishWelcome();
    dialog.current?.close();
  };
  return (
    <dialog ref={dialog} className="welcome-dialog" data-testid="welcome" aria-label="Welcome" onClose={() => setShow(false)} onCancel={() => bridge.finishWelcome()}>
      <WelcomeView bridge={bridge} onDone={done} />
    </dialog>
  );
}

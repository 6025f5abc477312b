// Under `utter web` the full player is a browser tab, and the page that plays: the mini
// player must find the one open rather than open a second, which would take the audio.
// Tabs opened apart cannot find each other by window name (cross-origin isolation puts
// each in its own group), so they ask on a BroadcastChannel, which same-origin tabs share.

const CHANNEL = 'utter-player-tab';
/** How long the mini player waits for an open player to answer. */
const ANSWER_MS = 250;

/** In the player tab: answers the mini player, and comes forward where the browser lets it. */
export function answerAsPlayerTab(): () => void {
  const channel = new BroadcastChannel(CHANNEL);
  channel.onmessage = (event: MessageEvent<string>) => {
    if (event.data !== 'where') return;
    channel.postMessage('here');
    window.focus();
  };
  return () => channel.close();
}

/** From the mini player: the open player tab comes forward, or one is opened. */
export async function showPlayerTab(address: string): Promise<void> {
  const channel = new BroadcastChannel(CHANNEL);
  const answered = new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), ANSWER_MS);
    channel.onmessage = (event: MessageEvent<string>) => {
      if (event.data !== 'here') return;
      clearTimeout(timer);
      resolve(true);
    };
  });
  channel.postMessage('where');
  const open = await answered;
  channel.close();
  if (!open) window.open(address, '_blank');
}

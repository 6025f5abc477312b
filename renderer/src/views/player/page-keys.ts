// The player's own keys: in a browser tab the app's global shortcuts do nothing, so the page
// answers Space or K (pause / resume), the arrows (a sentence back or on) and Escape (stop).
import { useEffect } from 'react';
import type { ControlAction } from '../../../../shared/session';
import { usePlayerStore } from '../../state/player-store';

/** How the tooltips name the page's keys. */
export const PAGE_KEYS = { pauseResume: 'Space or K', previous: '←', skip: '→', stop: 'Esc' } as const;

/**
 * Where the focus uses the keys itself: typing, choosing, or pressing a control (Space on a
 * focused button is that button's click, and must be only that).
 */
const USES_KEYS = [
  'input', 'textarea', 'select', 'button', 'a[href]', 'summary', 'audio', 'video',
  '[contenteditable]:not([contenteditable="false"])',
  ...['button', 'link', 'textbox', 'searchbox', 'combobox', 'listbox', 'option', 'slider', 'spinbutton', 'checkbox', 'radio', 'switch', 'tab', 'menuitem'].map((role) => `[role="${role}"]`),
].join(', ');

/** The keydown's fields the page keys read (a KeyboardEvent has them all). */
export type PageKeyEvent = Pick<KeyboardEvent, 'key' | 'target' | 'ctrlKey' | 'altKey' | 'metaKey' | 'repeat' | 'isComposing' | 'defaultPrevented'>;

/** The action a key press asks of the player, or null when it is not one of the page's keys where it was pressed. */
export function pageKeyAction(event: PageKeyEvent, escapeStops: boolean): ControlAction | null {
  // A chord is the browser's or the system's (Alt+← goes back); a held key would repeat the action.
  if (event.ctrlKey || event.altKey || event.metaKey || event.repeat || event.isComposing || event.defaultPrevented) return null;
  // Escape types nothing and clicks nothing: it stops from the text box too, as it always did.
  if (event.key === 'Escape') return escapeStops ? 'stop' : null;
  const target = event.target;
  if (target instanceof Element && (target.closest(USES_KEYS) || (target instanceof HTMLElement && target.isContentEditable))) return null;
  switch (event.key) {
    case ' ':
    case 'k':
    case 'K':
      return 'pause-resume';
    case 'ArrowLeft':
      return 'previous';
    case 'ArrowRight':
      return 'skip';
    default:
      return null;
  }
}

/** Listens for the page's keys while the view is shown; they act only while something is being read. */
export function usePageKeys(player: { control(action: ControlAction): void }, escapeStops: boolean): void {
  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      const action = pageKeyAction(event, escapeStops);
      if (!action || !usePlayerStore.getState().busy) return;
      // Space would also scroll the page, an arrow scroll it sideways.
      event.preventDefault();
      player.control(action);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [player, escapeStops]);
}

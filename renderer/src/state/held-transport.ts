import type { ControlAction, SessionView, TransportAction } from '../../../shared/session';

/** What the user last asked of the transport while the page could not reach the session. */
type Intent = 'stop' | 'pause' | 'resume';

/**
 * Stop and Pause pressed while the page is cut off from the session. The page is the audio
 * sink, so its own audio obeys at once, and it shows what was pressed; the session hears the
 * last intent first thing on reconnecting, before the page attaches again and is handed
 * the text it still thinks is playing. Stop wins over any pause pressed after it.
 */
export class HeldTransport {
  private intent: Intent | null = null;

  /**
   * The button pressed while cut off, over the view the page shows: what the page's audio
   * does now and the view to show meanwhile, or null when it changes nothing.
   */
  press(action: ControlAction, shown: SessionView | null): { transport: TransportAction; view: SessionView | null } | null {
    if (action === 'stop') {
      this.intent = 'stop';
      return { transport: 'stop', view: shown && { ...shown, state: 'idle', current: null, queued: [] } };
    }
    if (action !== 'pause-resume' || this.intent === 'stop' || !shown?.current) return null;
    const pausing = shown.state !== 'paused';
    this.intent = pausing ? 'pause' : 'resume';
    return { transport: pausing ? 'pause' : 'resume', view: { ...shown, state: pausing ? 'paused' : 'playing' } };
  }

  /** Whether anything waits to be said to the session. */
  get holding(): boolean {
    return this.intent !== null;
  }

  /**
   * The controls that bring the session to what was pressed, given its view on reconnecting
   * (Pause is a toggle: sent only if the session is not where the user left it); then forgotten.
   */
  take(view: SessionView): ControlAction[] {
    const intent = this.intent;
    this.intent = null;
    if (intent === 'stop') return view.current || view.queued.length ? ['stop'] : [];
    if (!intent || !view.current) return [];
    return (view.state === 'paused') === (intent === 'pause') ? [] : ['pause-resume'];
  }
}

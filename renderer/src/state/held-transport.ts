import type { ControlAction, SessionView, TransportAction } from '../../../shared/session';

/** What the user last asked of the transport while the page could not reach the session. */
type Intent = 'stop' | 'pause' | 'resume';

/** What a button pressed while cut off does on the page: its audio now, and the view shown meanwhile. */
export interface Pressed {
  transport?: TransportAction;
  view: SessionView | null;
}

const RESUME_HELD = 'Reading resumes from where it stopped as soon as the page has reconnected to utter web.';
const notSent = (button: string): string => `${button} was not sent, as the page was not connected to utter web: press it again once it has reconnected.`;

/**
 * The buttons pressed while the page is cut off from the session. None is dropped: each
 * acts on the page at once, or waits for the link, or says that it was not sent. The
 * session hears what waits first thing on reconnecting, before the page attaches again
 * and is handed the text it still thinks is playing.
 */
export class HeldTransport {
  private intent: Intent | null = null;
  private resumeSaved = false;

  /** The button pressed while cut off, over the view the page shows; null when it changes nothing. */
  press(action: ControlAction, shown: SessionView | null): Pressed | null {
    // The page is the audio sink: its audio obeys at once. Stop wins over anything pressed before it.
    if (action === 'stop') {
      this.intent = 'stop';
      this.resumeSaved = false;
      return { transport: 'stop', view: shown && { ...shown, state: 'idle', current: null, queued: [] } };
    }
    if (!shown) return null;
    switch (action) {
      case 'pause-resume': {
        if (this.intent === 'stop' || !shown.current) return null;
        const pausing = shown.state !== 'paused';
        this.intent = pausing ? 'pause' : 'resume';
        return { transport: pausing ? 'pause' : 'resume', view: { ...shown, state: pausing ? 'paused' : 'playing' } };
      }
      // The saved place does not move while the page waits: sent late, it reads from where it
      // would have now. Only the session holds that text, so the page says that it waits.
      case 'resume-saved':
        if (!shown.resumable) return null;
        this.resumeSaved = true;
        return { view: { ...shown, resumable: null, notice: RESUME_HELD } };
      // They move from the sentence heard at the press, and only the session can read from
      // there. The page plays on from its buffer meanwhile, and back, the session goes on
      // from the sentence it last heard: sent late, they would land where nobody chose.
      case 'skip':
        return { view: { ...shown, error: notSent('Skip') } };
      case 'previous':
        return { view: { ...shown, error: notSent('Previous') } };
    }
  }

  /** Whether anything waits to be said to the session. */
  get holding(): boolean {
    return this.intent !== null || this.resumeSaved;
  }

  /**
   * The controls that bring the session to what was pressed, given its view on reconnecting
   * (Pause is a toggle: sent only if the session is not where the user left it; a Resume
   * saved goes after a Stop pressed before it); then forgotten.
   */
  take(view: SessionView): ControlAction[] {
    const { intent, resumeSaved } = this;
    this.intent = null;
    this.resumeSaved = false;
    const actions: ControlAction[] = [];
    if (intent === 'stop' && (view.current || view.queued.length)) actions.push('stop');
    if ((intent === 'pause' || intent === 'resume') && view.current && (view.state === 'paused') !== (intent === 'pause')) actions.push('pause-resume');
    // The session ignores it if its offer is gone (another page took it, or a text started since).
    if (resumeSaved) actions.push('resume-saved');
    return actions;
  }
}

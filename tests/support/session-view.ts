import { textRefOf, type SessionView } from '../../shared/session';

/** A session's view while it plays text 1 with text 2 waiting; `patch` changes what a test needs. */
export function playingView(patch: Partial<SessionView> = {}): SessionView {
  return {
    state: 'playing',
    current: { id: 3, textId: 1, offset: 0, segment: { index: 0, start: 0, end: 40 } },
    queued: [textRefOf(2, 'Waiting.')],
    history: [],
    error: '',
    notice: '',
    source: 'openai',
    format: 'pcm',
    rate: 1,
    resumable: null,
    timing: null,
    ...patch,
  };
}

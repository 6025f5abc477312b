import type { OperationHandlers } from '../../shared/contract';
import type { Session, SessionSink } from './session';

/** The contract's operations that only ask the session, the same in every shell. */
type SessionOperation = 'speak' | 'replay' | 'control' | 'readFrom' | 'unqueue' | 'setFormat' | 'setRate' | 'detachSink' | 'sinkFact' | 'sessionView' | 'cacheUsage' | 'clearCache';

/**
 * Handlers for the operations a shell passes straight to its session; `sinkOf` finds the
 * sink a page attached as (facts from any other page are ignored).
 */
export function sessionOperations<Context>(session: Session, sinkOf: (context: Context) => SessionSink | undefined): Pick<OperationHandlers<Context>, SessionOperation> {
  return {
    speak: ({ texts, format, queue }) => {
      const refused = session.speak(texts, { format, queue });
      if (refused) throw new Error(refused);
    },
    replay: ({ textId, format }) => {
      const refused = session.replay(textId, { format });
      if (refused) throw new Error(refused);
    },
    control: (action) => session.control(action),
    readFrom: ({ id, offset }) => session.readFrom(id, offset),
    unqueue: ({ index, textId }) => {
      const refused = session.unqueue(index, textId);
      if (refused) throw new Error(`unqueue refused: ${refused}`);
    },
    setFormat: (format) => session.setFormat(format),
    setRate: (rate) => void session.setRate(rate),
    // The page's connection (or webContents) going later is then nothing new to the session.
    detachSink: (_request, context) => {
      const sink = sinkOf(context);
      if (sink) session.detachSink(sink, 'left');
    },
    sinkFact: (fact, context) => {
      const sink = sinkOf(context);
      if (sink) session.fact(sink, fact);
    },
    sessionView: () => session.view(),
    cacheUsage: () => session.cacheUsage(),
    clearCache: () => session.clearCache(),
  };
}

/** The text a save asks for: given, or held by the session under its id (a history item). */
export function textToSave(session: Session, request: { text?: string; textId?: number }): string {
  if (request.text !== undefined) return request.text;
  const text = session.textOf(request.textId!);
  if (text === undefined) throw new Error('That text is no longer in the history or the queue, so it cannot be saved from there: paste it in the box and save it from there.');
  return text;
}

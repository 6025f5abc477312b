import { AUDIO_PORT_MESSAGE, OPERATIONS, OPERATION_NAMES, type OperationName, type PageEventName, type PageEventPayloads, type PageOperations } from '../../../shared/contract';
import type { PublicSettings, UtterApi } from '../../../shared/renderer-api';
import type { PlayTicket, SessionText, SessionView, SinkLevel, TransportAction } from '../../../shared/session';
import { TextShelf } from '../../../shared/session-texts';
import type { SaveStatus } from '../../../shared/save';
import type { PronunciationRule } from '../../../shared/pronunciation';
import type { AudioSource } from '../audio/consumer-link';
import { showPlayerTab } from './player-tab';
import { HELLO_LIMIT_MS, silenceLimitMs, type ControlHello } from '../../../shared/control-link';
import { HeldTransport } from './held-transport';
import { HeldSends, type HeldSend } from './held-sends';

/**
 * The app as the page sees it, in Electron or in a browser under `utter web`: the
 * contract's operations, and what the session sends (its view, each utterance to play
 * with where its audio comes from, what the audio side must do).
 */
export interface Bridge extends PageOperations {
  onSession(listener: (view: SessionView) => void): () => void;
  /** A text the session's views name by id (the app sends each once, ahead of the first view that names it). */
  textOf(textId: number): string | undefined;
  /** The audio source goes to the decoder worker, never read on the page's thread. */
  onPlay(listener: (ticket: PlayTicket, source: AudioSource) => void): () => void;
  /** `utter web`'s audio endpoint, which the worker connects to ahead of each utterance (none in Electron). */
  audioSocket?: string;
  onTransport(listener: (action: TransportAction) => void): () => void;
  /** The playing page's buffer and word, for a page that only shows the session. */
  onLevel(listener: (level: SinkLevel) => void): () => void;
  /** Where a save of audio to a file stands (one at a time, from any page or the tray). */
  onSave(listener: (status: SaveStatus) => void): () => void;
  /** The settings, each time they change after the page asked for them (from any window, the tray, or the file). */
  onSettings(listener: (settings: PublicSettings) => void): () => void;
  /** The dictionary's rules, each time they change after the page asked for them. */
  onPronunciations(listener: (rules: PronunciationRule[]) => void): () => void;
  /**
   * What is wrong with the page's connection to the app, in words, or null once it is back;
   * a new listener hears at once what is wrong now. Only `utter web` has a connection to lose.
   */
  onConnection(listener: (trouble: string | null) => void): () => void;
  /**
   * The page reconnected to another run of `utter web`: what it played belongs to a session
   * that is gone, and the new one numbers its utterances from 1 again.
   */
  onRestart(listener: () => void): () => void;
}

/** The first wait before the page connects again, doubled after each failure up to the most. */
const RECONNECT_FIRST_MS = 250;
const RECONNECT_MOST_MS = 5000;
const LOST = 'Lost the connection to utter web; reconnecting…';
const REFUSED = 'utter web refused this page (was it restarted with another token?): open the address it printed.';
const NOT_SENT = 'This text was not sent, as the page was not connected to utter web: speak it again once it has reconnected.';

/** The preload's API when there is one, else the `utter web` server this page came from. */
export function connectBridge(): Bridge {
  const bridge = window.utter ? electronBridge(window.utter) : webBridge();
  // A page attaches once per load: a second attach would look like a new page to the
  // session, which would restart what it plays (React runs effects twice in development).
  // After a lost connection the web bridge attaches again by itself, on the new socket.
  let attached: Promise<SessionView> | null = null;
  return { ...bridge, attachSink: () => (attached ??= bridge.attachSink()) };
}

/** Listeners by name, for messages that come on one channel. */
function listeners<T extends unknown[]>(): { add(listener: (...args: T) => void): () => void; emit(...args: T): void } {
  const all = new Set<(...args: T) => void>();
  return {
    add: (listener) => {
      all.add(listener);
      return () => all.delete(listener);
    },
    emit: (...args) => all.forEach((listener) => listener(...args)),
  };
}

function electronBridge(api: UtterApi): Bridge {
  const plays = listeners<[PlayTicket, AudioSource]>();
  window.addEventListener('message', (event: MessageEvent<{ type?: string; nonce?: string; ticket?: PlayTicket }>) => {
    const data = event.data;
    // Only this window's preload, with its nonce: not a frame, not a look-alike.
    if (event.source !== window || data?.type !== AUDIO_PORT_MESSAGE || data.nonce !== api.audioPortNonce) return;
    const port = event.ports[0];
    if (port && typeof data.ticket?.id === 'number') plays.emit(data.ticket, { kind: 'port', port });
  });
  // Before any other listener: the texts a view names are on the shelf when it is shown.
  const shelf = new TextShelf();
  api.on('texts', (texts) => shelf.add(texts));
  api.on('session', (view) => shelf.keepFor(view));
  return {
    ...api,
    textOf: (textId) => shelf.get(textId),
    onSession: (listener) => api.on('session', listener),
    onTransport: (listener) => api.on('transport', listener),
    onLevel: (listener) => api.on('level', listener),
    onSave: (listener) => api.on('save', listener),
    onSettings: (listener) => api.on('settings', listener),
    onPronunciations: (listener) => api.on('pronunciations', listener),
    onPlay: plays.add,
    // The preload's IPC lives as long as the window: nothing to lose.
    onConnection: () => () => {},
    onRestart: () => () => {},
  };
}

/**
 * The page's side of `utter web`: one control socket for the contract's operations and the
 * session's pushes. A socket that closes while the page stays (utter web restarted, the
 * network dropped, the laptop slept, a page too far behind) is opened again with backoff,
 * and the page gets back what it had: the sink attaches again, any page gets the view it
 * missed. A page that is leaving does not come back.
 */
function webBridge(): Bridge {
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const base = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}`;
  // The page's name on both its sockets: the server may hand this page's waiting audio socket its utterances.
  const page = Array.from(crypto.getRandomValues(new Uint8Array(12)), (byte) => byte.toString(16).padStart(2, '0')).join('');
  const audioSocket = `${base}/audio?token=${encodeURIComponent(token)}&page=${page}`;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  const sessions = listeners<[SessionView]>();
  const shelf = new TextShelf();
  const plays = listeners<[PlayTicket, AudioSource]>();
  const transports = listeners<[TransportAction]>();
  const levels = listeners<[SinkLevel]>();
  const saves = listeners<[SaveStatus]>();
  const settings = listeners<[PublicSettings]>();
  const dictionaries = listeners<[PronunciationRule[]]>();
  /** What the page asked for that changes: asked again after a reconnection, as pushes made while cut off are lost. */
  let readsSettings = false;
  let readsDictionary = false;
  const connection = listeners<[string | null]>();
  const restarts = listeners<[]>();
  /** The buttons pressed while cut off: what waits for the session to hear first on reconnecting. */
  const held = new HeldTransport();
  /** The other requests the user made while cut off: sent after the buttons, on reconnecting. */
  const heldSends = new HeldSends();
  /** The session's view as the page last heard it. */
  let shown: SessionView | null = null;
  /** The run of utter web this page last spoke with. */
  let instance: string | null = null;
  let nextId = 1;
  let socket: Promise<WebSocket> | null = null;
  /** What the page says of its connection now (null: connected, or never lost). */
  let trouble: string | null = null;
  /** A socket closed under the page: it missed the session's pushes until the next one opens. */
  let missed = false;
  /** This page asked to be the one that plays: it asks again on each new connection. */
  let attached = false;
  /** The page unloads: what closes stays closed. */
  let leaving = false;
  let retryMs = RECONNECT_FIRST_MS;
  let retry: ReturnType<typeof setTimeout> | undefined;

  const tell = (now: string | null): void => {
    if (now === trouble) return;
    trouble = now;
    connection.emit(now);
  };

  const onPush = <E extends PageEventName>(event: E, payload: PageEventPayloads[E]): void => {
    if (event === 'texts') shelf.add(payload as SessionText[]);
    else if (event === 'session') {
      shelf.keepFor(payload as SessionView);
      sessions.emit((shown = payload as SessionView));
    }
    else if (event === 'transport') transports.emit(payload as TransportAction);
    else if (event === 'level') levels.emit(payload as SinkLevel);
    else if (event === 'save') saves.emit(payload as SaveStatus);
    else if (event === 'settings') settings.emit(payload as PublicSettings);
    else if (event === 'pronunciations') dictionaries.emit(payload as PronunciationRule[]);
    else if (event === 'play') {
      const ticket = payload as PlayTicket;
      plays.emit(ticket, { kind: 'socket', url: audioSocket, id: ticket.id });
    }
  };

  const open = (): Promise<WebSocket> => {
    const opening = new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(`${base}/control?token=${encodeURIComponent(token)}&page=${page}`);
      let opened = false;
      let gone = false;
      // A server that went away without a word (asleep, or the network dropped) leaves the
      // socket open for minutes: one that says nothing, not even its beat, is taken for lost.
      // Until its hello, which the server sends first and at once, the page is short of
      // patience and nothing else counts; then it times by the server's beat.
      let patienceMs = HELLO_LIMIT_MS;
      let greeted = false;
      let silence: ReturnType<typeof setTimeout> | undefined;
      const listen = (): void => {
        clearTimeout(silence);
        silence = setTimeout(() => {
          ws.close();
          closed();
        }, patienceMs);
      };
      /** The server said hello: the socket is ready, and the page gets back what it had. */
      const ready = (hello: ControlHello): void => {
        greeted = true;
        patienceMs = silenceLimitMs(hello.beatMs);
        listen();
        if (instance !== null && hello.instance !== instance) restarts.emit();
        instance = hello.instance;
        resolve(ws);
        clearTimeout(retry);
        retry = undefined;
        retryMs = RECONNECT_FIRST_MS;
        if (!missed) return;
        missed = false;
        tell(null);
        void restore();
      };
      // A closing handshake with a server that is gone takes long: the page does not wait for it.
      const closed = (): void => {
        if (gone) return;
        gone = true;
        clearTimeout(silence);
        reject(new Error('The connection to `utter web` closed before it was ready.'));
        if (socket === opening) socket = null;
        for (const { reject: fail } of pending.values()) fail(new Error('The connection to `utter web` closed before it answered.'));
        pending.clear();
        if (leaving) return;
        missed = true;
        void whyClosed(opened).then((why) => {
          // A call may have opened another socket meanwhile: its own close tries again.
          if (leaving || socket) return;
          tell(why);
          retryLater(why === REFUSED);
        });
      };
      ws.onopen = () => {
        opened = true;
        listen();
      };
      ws.onerror = () => reject(new Error('Cannot reach `utter web` (is it still running, and is the token in the address?).'));
      ws.onclose = closed;
      ws.onmessage = (message: MessageEvent<string>) => {
        if (gone) return;
        if (greeted) listen();
        const data = JSON.parse(message.data) as { id: number; result?: unknown; error?: string } | { event: PageEventName; payload: never } | { hello: ControlHello } | { beat: number };
        if ('beat' in data) return;
        if ('hello' in data) return ready(data.hello);
        if ('event' in data) return onPush(data.event, data.payload);
        const waiter = pending.get(data.id);
        pending.delete(data.id);
        if (data.error !== undefined) waiter?.reject(new Error(data.error));
        else waiter?.resolve(data.result);
      };
    });
    return opening;
  };

  const call = async <T,>(op: OperationName, request?: unknown): Promise<T> => {
    const ws = await (socket ??= open());
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      ws.send(JSON.stringify({ id, op, request }));
    });
  };

  /**
   * Back after a loss: the session first hears the buttons held meanwhile (else it would
   * hand this page again the text it thinks is playing); then the page asks again for what
   * it had, and hears what it missed.
   */
  const restore = async (): Promise<void> => {
    try {
      if (held.holding) {
        const actions = held.take(await call<SessionView>('sessionView'));
        for (const action of actions) void call('control', action).catch((error: Error) => console.warn(`Utter: ${error.message}`));
      }
      for (const [op, request] of heldSends.take()) void call(op, request).catch((error: Error) => console.warn(`Utter: ${error.message}`));
      sessions.emit((shown = await call<SessionView>(attached ? 'attachSink' : 'sessionView')));
      // Changed while the page was cut off (another page, the file): the push was missed.
      if (readsSettings) settings.emit(await call<PublicSettings>('settings'));
      if (readsDictionary) dictionaries.emit(await call<PronunciationRule[]>('pronunciations'));
    } catch (error) {
      console.warn(`Utter: after reconnecting: ${(error as Error).message}`);
    }
  };

  /** A server that serves this page's address but closed its socket unopened refused it: a wrong token. */
  const whyClosed = async (opened: boolean): Promise<string> => {
    if (opened) return LOST;
    try {
      return (await fetch(location.pathname, { method: 'HEAD', cache: 'no-store' })).ok ? REFUSED : LOST;
    } catch {
      return LOST;
    }
  };

  // A refusal stays a refusal until someone restarts utter web: no use asking fast.
  const retryLater = (refused: boolean): void => {
    if (refused) retryMs = RECONNECT_MOST_MS;
    clearTimeout(retry);
    retry = setTimeout(reconnect, retryMs);
    retryMs = Math.min(retryMs * 2, RECONNECT_MOST_MS);
  };
  // Its close, if it fails, says why and tries again later.
  const reconnect = (): void => {
    clearTimeout(retry);
    retry = undefined;
    if (!leaving) (socket ??= open()).catch(() => {});
  };
  const stop = (): void => {
    leaving = true;
    clearTimeout(retry);
    retry = undefined;
  };
  // A background tab's timers are slowed down: waking up or coming online is the moment to try.
  const now = (): void => {
    if (retry !== undefined) reconnect();
  };
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') now();
  });
  window.addEventListener('online', now);
  window.addEventListener('pagehide', stop);
  // Back from the back-forward cache, the page is as it was before it left.
  window.addEventListener('pageshow', (event) => {
    if (!event.persisted) return;
    leaving = false;
    if (socket) return void restore();
    missed = true;
    reconnect();
  });

  // A message with no reply still goes as a request over the socket: its refusal is logged, not lost.
  // Without a socket the page says so already: what the user asked is held for restore() or
  // said not to have been sent, and the player's reports, many a second, are not sent (back,
  // the page attaches again and says where it is).
  const remote = Object.fromEntries(
    OPERATION_NAMES.map((name) => [
      name,
      OPERATIONS[name].kind === 'invoke'
        ? (request?: unknown) => call(name, request)
        : (request?: unknown) => {
            if (missed && !socket) return holdSend([name, request] as HeldSend);
            call(name, request).catch((error: Error) => console.warn(`Utter: ${error.message}`));
          },
    ]),
  ) as unknown as PageOperations;
  /** A request made while cut off: held for the session, or said not to have been sent (held-sends.ts). */
  function holdSend(send: HeldSend): void {
    const kept = heldSends.hold(send, shown);
    if (kept?.view) sessions.emit((shown = kept.view));
  }
  return {
    ...remote,
    audioSocket,
    // Cut off, a text would wait unseen for a socket: the page says at once that it was not sent.
    speak: (request) => (missed ? Promise.reject(new Error(NOT_SENT)) : remote.speak(request)),
    control: (action) => {
      if (!missed) return remote.control(action);
      const pressed = held.press(action, shown);
      if (pressed?.transport) transports.emit(pressed.transport);
      if (pressed?.view) sessions.emit((shown = pressed.view));
    },
    attachSink: () => {
      attached = true;
      return remote.attachSink().then((view) => (shown = view));
    },
    sessionView: () => remote.sessionView().then((view) => (shown = view)),
    settings: () => {
      readsSettings = true;
      return remote.settings();
    },
    pronunciations: () => {
      readsDictionary = true;
      return remote.pronunciations();
    },
    detachSink: () => {
      stop();
      remote.detachSink();
    },
    onSession: sessions.add,
    textOf: (textId) => shelf.get(textId),
    onPlay: plays.add,
    onTransport: transports.add,
    onLevel: levels.add,
    onSave: saves.add,
    onSettings: settings.add,
    onPronunciations: dictionaries.add,
    onConnection: (listener) => {
      const unsubscribe = connection.add(listener);
      if (trouble !== null) listener(trouble);
      return unsubscribe;
    },
    onRestart: restarts.add,
    openSettings: () => void window.open(`${location.pathname}${location.search}#settings`, '_blank'),
    showPlayer: () => void showPlayerTab(`${location.pathname}${location.search}`),
  };
}

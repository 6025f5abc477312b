// `utter web`: the renderer in any browser, bridged to the same engine in this Node process.
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { formatSettingsIssues, type Settings } from '../../shared/config/schema';
import { checkRequest, isOperation, type OperationHandlers, type OperationName, type PageEventName, type PageEventPayloads } from '../../shared/contract';
import type { UpdateStatus } from '../../shared/updates';
import { APP_ORIGIN } from '../pages/app-protocol';
import { startAppSocket } from '../session/app-socket';
import { memorySecretStore } from '../store/secret-store';
import { encodeStoredKey, SettingsStore } from '../store/settings-store';
import { createProvider } from '../engine/engine';
import { findLocalServers } from '../engine/local-servers';
import { providerStatus } from '../engine/provider-check';
import { voiceList } from '../engine/voice-list';
import { WarmEmbeddedVoice, warmRequestPath } from '../engine/warm-up';
import { LinkWarmer } from '../engine/link-warmer';
import type { SpeechProvider } from '../engine/provider';
import { rendererFileHandler } from '../pages/renderer-files';
import { SavedSession } from '../session/saved-session';
import { followSettingsFile, WebSettingsFile } from './web-settings-file';
import type { SettingsUpdateResult } from '../../shared/renderer-api';
import { LinkEstimates } from '../engine/link-estimate';
import { Session, type SessionSink } from '../session/session';
import { sessionOperations, textToSave } from '../session/session-operations';
import { TextsSent } from '../../shared/session-texts';
import type { SessionView } from '../../shared/session';
import { AudioCache, MEGABYTE } from '../engine/cache/audio-cache';
import { pronunciationOperations } from '../session/pronunciation-operations';
import { PronunciationStore } from '../store/pronunciation-store';
import { watchFile } from '../store/watch-file';
import type { PronunciationRule } from '../../shared/pronunciation';
import { AUDIO_MAX_PAYLOAD, AudioSockets } from './audio-sockets';
import { welcomeState } from './welcome-marker';
import { SaveJobs } from '../save/save-jobs';
import { SavedFiles, SAVED_PATH } from './saved-files';
import { listenError } from './listen-error';
import { ControlOutbox, type Ahead } from './control-outbox';
import { refuseRequest, sameOrigin, tokenMatches, type ServerPlace } from './allowed-hosts';
import { Heartbeat } from './heartbeat';
import { BEAT_MESSAGE, helloMessage } from '../../shared/control-link';


/** utter web runs from an npm or git checkout, which its own package manager updates. */
const WEB_UPDATES: UpdateStatus = { state: 'off', reason: 'utter web runs from the copy you installed with npm or git; update it there' };
/** How to run the web bridge. */
export interface WebServerOptions {
  /** The built renderer (out/renderer). */
  root: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  settings: Settings;
  /** Tests pass their own provider factory. */
  provider?: (settings: Settings) => SpeechProvider;
  /** Given to the page in its URL; random unless a test sets it. */
  token?: string;
  version?: string;
  /** Where `utter speak TEXT` reaches this session; none when another app holds it. */
  appSocket?: string;
  /** Where the queue and the reading position survive a restart; in memory only when absent. */
  sessionFile?: string;
  /** The settings file the command read: the page's changes are written into it. In memory only when absent. */
  settingsFile?: string;
  /** Reads the settings again as the command did (file < environment < flags): an edit of the file applies at once. */
  reloadSettings?: () => Promise<Settings>;
  /** Where what each server's link has shown survives a restart (spec B2); in memory only when absent. */
  linksFile?: string;
  /** The local audio cache's folder (spec X4); none: every segment is fetched. */
  cacheDir?: string;
  /** Lets pages change the API key and the servers it goes to (`--allow-key-changes`); off by default. */
  allowKeyChanges?: boolean;
  /** Serve HTTPS and WSS with this certificate (needed for a host other than this machine). */
  tls?: { cert: Uint8Array; key: Uint8Array };
  /**
   * The first start: the player page shows the welcome until it is finished, which writes
   * this file, so it is not shown again. Absent: no welcome (there are settings already).
   */
  welcomeMarker?: string;
  /** The pronunciation dictionary's file, read and written; absent: in memory, from `pronunciations`. */
  pronunciationsFile?: string;
  /** The rules an in-memory dictionary starts with. */
  pronunciations?: PronunciationRule[];
  /** How often each socket is pinged and each page hears a beat (tests shorten it). */
  heartbeatMs?: number;
}

/**
 * The page events that are whole snapshots, so that a newer one replaces one not yet sent
 * to a page that is behind. A play ticket or a transport action happens once: never replaced.
 */
const SNAPSHOT_EVENTS: Record<PageEventName, boolean> = { texts: false, session: true, level: true, save: true, settings: true, pronunciations: true, play: false, transport: false };

/** The operations whose reply is the session's view: the texts it names that the page lacks go just before it. */
const VIEW_REPLIES: ReadonlySet<OperationName> = new Set(['attachSink', 'sessionView']);

/** What only a `utter web` started with --allow-key-changes lets a page change. */
const KEY_SETTINGS = ['apiKey', 'apiKeyConfirm', 'baseUrls'];

/** A running `utter web`. */
export interface WebServer {
  /** What to open in a browser: carries the token. */
  url: string;
  origin: string;
  /** The speaking session the pages show and play (tests drive it as the tray would). */
  session: Session;
  /** WebSocket clients open now (control and audio): the soak watches it for leaks. */
  clientCount(): number;
  close(): Promise<void>;
}

/** The page's control messages: a request id, an operation of the contract, its payload. */
interface ControlRequest {
  id?: unknown;
  op?: unknown;
  request?: unknown;
}

/**
 * Serves the built renderer with COOP, COEP, CORP and the app's CSP on every file, and
 * bridges the page to the engine over WebSockets: `/control` (JSON requests from the page)
 * and `/audio` (one per utterance, opened by the decoder worker ahead of it, and offered its
 * utterance by the server or claimed by the worker: see AudioSockets; engine events as
 * JSON, chunks as binary frames, commands back). Every
 * socket must show the token and come from this server's own origin, so other local pages
 * cannot drive it.
 */
export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const token = options.token ?? randomBytes(18).toString('base64url');
  // The app's settings store, in memory: the page's changes are checked by the same rules
  // and apply to this server's engine at once. The command line's and the environment's
  // settings hold for this run alone, so the store does not write the file itself.
  const { apiKey, apiKeyOrigins, ...initial } = options.settings;
  // The changes the page makes are kept in the file the command read, for the next run.
  const settingsFile = options.settingsFile ? new WebSettingsFile(options.settingsFile) : undefined;
  async function updateAndKeep(patch: Record<string, unknown>): Promise<SettingsUpdateResult> {
    const result = await store.update(patch);
    if (!result.ok || !settingsFile) return result;
    const notSaved = await settingsFile.keep(Object.keys(patch), store.get());
    return notSaved ? { ...result, notSaved } : result;
  }
  const store = new SettingsStore({ file: null, initial, secrets: memorySecretStore(apiKey && encodeStoredKey({ key: apiKey, origins: apiKeyOrigins ?? null })) });
  await store.load();
  const stopFollowingSettings =
    options.settingsFile && options.reloadSettings
      ? followSettingsFile({
          file: options.settingsFile,
          loaded: options.settings,
          reload: options.reloadSettings,
          inUse: () => store.get(),
          apply: async (changes) => {
            const result = await store.update(changes);
            if (!result.ok) console.warn(`utter web: ${options.settingsFile} was changed, but ${formatSettingsIssues(result.issues)}: the settings in use stay.`);
          },
          warn: (message) => console.warn(`utter web: ${message}`),
        })
      : () => {};
  const dictionary = new PronunciationStore({ file: options.pronunciationsFile ?? null, initial: options.pronunciations, onNotice: (message) => console.warn(`utter web: ${message}`) });
  // Shared with the app: what it (or the user, by hand) writes there applies here too.
  const stopWatchingDictionary = options.pronunciationsFile ? watchFile(options.pronunciationsFile, () => void dictionary.reloadIfChanged()) : () => {};
  await dictionary.load();
  const links = new LinkEstimates(options.linksFile, (message) => console.warn(`utter web: ${message}`));
  const linkWarmer = new LinkWarmer();
  const session = new Session({
    settings: () => store.get(),
    pronunciations: () => dictionary.compiled(),
    provider: options.provider,
    saved: options.sessionFile ? new SavedSession(options.sessionFile, (message) => console.warn(`utter web: ${message}`)) : undefined,
    links,
    cache: options.cacheDir ? new AudioCache(options.cacheDir, () => store.get().audioCacheMb * MEGABYTE, (message) => console.warn(`utter web: ${message}`)) : undefined,
    warn: (message) => console.warn(`utter web: ${message}`),
    saveRate: (rate) => void updateAndKeep({ playbackRate: rate }),
    // A test's own provider needs no connection opened ahead.
    warmLink: options.provider ? undefined : (settings) => void linkWarmer.warm(settings),
  });
  await session.restore();
  // The embedded voice starts with utter web, as with the app (a test's own provider needs none).
  const voice = new WarmEmbeddedVoice();
  // A warm-up that fails costs only speed: the first request then says what is wrong.
  warmRequestPath().catch((error: Error) => console.warn(`utter web: the request path could not warm up: ${error.message}`));
  if (!options.provider) {
    voice.follow(store.get().provider);
    store.subscribe((settings) => {
      voice.follow(settings.provider);
      session.expectSpeech();
    });
  }
  const audioSockets = new AudioSockets((message) => console.warn(`utter web: ${message}`));
  const heartbeat = new Heartbeat(options.heartbeatMs);
  /** This run of utter web: a page that reconnects to another run lets go of what it played (ids start at 1 again). */
  const instance = randomUUID();
  /** The name each page's control socket gave (`page=`), so that its audio socket can be offered its utterances. */
  const pages = new WeakMap<WebSocket, string>();
  /** Each control socket's sink, once its page attached as the one that plays. */
  const sinks = new Map<WebSocket, SessionSink>();
  /** Every page's control socket, and what it sends through: each gets the session's view on every change. */
  const controls = new Map<WebSocket, ControlOutbox>();
  /** What each page has of the session's texts: each goes to it once, just before the first view that names it. */
  const textsSent = new WeakMap<WebSocket, TextsSent>();
  const eventMessage = <E extends PageEventName>(event: E, payload: PageEventPayloads[E]): string => JSON.stringify({ event, payload });
  const push = <E extends PageEventName>(ws: WebSocket, event: E, payload: PageEventPayloads[E]): void => {
    controls.get(ws)?.send(eventMessage(event, payload), SNAPSHOT_EVENTS[event] ? event : null);
  };
  /** To every page: written once (a view names 1000 queued texts with their previews). */
  const pushAll = <E extends PageEventName>(event: E, payload: PageEventPayloads[E]): void => {
    if (!controls.size) return;
    const data = eventMessage(event, payload);
    for (const outbox of controls.values()) outbox.send(data, SNAPSHOT_EVENTS[event] ? event : null);
  };
  /** The texts `view` names that the page on `ws` lacks, decided when the view is written: a view replaced while it waited sends none. */
  const textsAhead = (ws: WebSocket, view: SessionView): Ahead => (write) => textsSent.get(ws)?.sendAhead(view, (texts) => write(eventMessage('texts', texts)));
  // "Save audio…" speaks with the session's settings and provider; the file is downloaded.
  const saves = new SaveJobs({ settings: () => ({ ...store.get(), format: session.view().format }), provider: (settings) => session.speechProvider(settings), pronunciations: () => dictionary.compiled() });
  const savedFiles = new SavedFiles();
  saves.subscribe((status) => pushAll('save', status));
  session.subscribeLevel((level) => pushAll('level', level));
  // Every page shows some settings (the player its shortcuts and buffer): each hears of a change at once.
  store.subscribe(() => pushAll('settings', store.publicSettings()));
  dictionary.subscribe((rules) => pushAll('pronunciations', rules));
  session.subscribe((view) => {
    const data = eventMessage('session', view);
    for (const [ws, outbox] of controls) outbox.send(data, 'session', textsAhead(ws, view));
  });
  const socketSink = (ws: WebSocket): SessionSink => ({
    // The engine starts now, not once the worker's socket is claimed: the first request (or
    // the cache) is asked meanwhile, and what comes goes to the socket or waits for it.
    play: (ticket) => {
      push(ws, 'play', ticket);
      return audioSockets.linkFor(ticket.id, pages.get(ws) ?? null);
    },
    transport: (action) => push(ws, 'transport', action),
  });
  const serveRenderer = rendererFileHandler(options.root);
  const scheme = options.tls ? 'https' : 'http';
  /** Where this server listens, which the Host of each request must name; known once it listens. */
  let place: ServerPlace | null = null;
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const refusal = refuseRequest(req, place);
    if (refusal) return void res.writeHead(refusal.status, { 'Content-Type': 'text/plain' }).end(refusal.why);
    const path = new URL(req.url ?? '/', 'http://localhost');
    if (path.pathname.startsWith(SAVED_PATH)) return serveSaved(path, req, res);
    serveFile(serveRenderer, req, res).catch((error: Error) => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(`utter web could not serve this: ${error.message}`);
    });
  };
  /** A saved file, to whoever shows the token (the page that asked, opening its download link). */
  const serveSaved = (url: URL, req: IncomingMessage, res: ServerResponse): void => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405, { Allow: 'GET, HEAD' }).end('Method not allowed');
    if (!tokenMatches(url.searchParams.get('token'), token)) return void res.writeHead(403, { 'Content-Type': 'text/plain' }).end('The download link needs the token of the page that saved it.');
    savedFiles.serve(url.pathname.slice(SAVED_PATH.length), res, req.method === 'HEAD').then(
      (found) => {
        if (!found) res.writeHead(404, { 'Content-Type': 'text/plain' }).end('No such saved file: it may have been replaced by newer saves, or utter web restarted.');
      },
      (error: Error) => {
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
        res.end(`utter web could not send the file: ${error.message}`);
      },
    );
  };
  const server = options.tls ? createHttpsServer({ cert: Buffer.from(options.tls.cert), key: Buffer.from(options.tls.key) }, handler) : createServer(handler);
  // A control message may carry a text to speak; an audio socket's are a few dozen bytes.
  const sockets = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 * 1024 });
  const audioServer = new WebSocketServer({ noServer: true, maxPayload: AUDIO_MAX_PAYLOAD });

  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    const refusal = refuseRequest(req, place);
    if (refusal) return void socket.end(`HTTP/1.1 ${refusal.status} ${refusal.reason}\r\nConnection: close\r\n\r\n`);
    const url = new URL(req.url ?? '/', 'http://localhost');
    // Same-origin pages only (the worker's socket carries the page's origin), and the token.
    const allowed = tokenMatches(url.searchParams.get('token'), token) && sameOrigin(req.headers.origin, req.headers.host, scheme);
    if (!allowed || (url.pathname !== '/control' && url.pathname !== '/audio')) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    const audio = url.pathname === '/audio';
    (audio ? audioServer : sockets).handleUpgrade(req, socket, head, (ws) => {
      // A frame ws refuses (over maxPayload, bad UTF-8, a bad opcode) is an 'error' on the
      // socket: unheard, Node throws it, and utter web would exit. The page loses that socket.
      ws.on('error', () => ws.terminate());
      if (audio) heartbeat.watch(ws);
      const page = pageName(url.searchParams.get('page'));
      if (audio) return audioSockets.accept(ws, page);
      if (page) pages.set(ws, page);
      serveControl(ws);
    });
  });

  const welcome = welcomeState(options.welcomeMarker, (message) => console.warn(`utter web: ${message}`));
  /** The contract's operations as `utter web` serves them; the page's socket is the one that asks. */
  const handlers: OperationHandlers<WebSocket> = {
    appInfo: () => ({ version: options.version ?? '0.0.0', shell: 'web', welcome: welcome.pending }),
    settings: () => store.publicSettings(),
    updateSettings: async (patch) => {
      // Anyone with the token could otherwise point the key at their own server.
      const locked = options.allowKeyChanges ? [] : KEY_SETTINGS.filter((name) => Object.hasOwn(patch, name) && patch[name] !== undefined);
      if (locked.length) {
        return { ok: false, issues: locked.map((setting) => ({ setting, value: setting === 'baseUrls' ? patch[setting] : '(hidden)', message: 'can be changed here only when `utter web` is started with --allow-key-changes (or in the app, or on the command line)' })) };
      }
      return updateAndKeep(patch);
    },
    voices: () => {
      const settings = store.get();
      return voiceList(options.provider?.(settings) ?? createProvider(settings));
    },
    localServers: () => findLocalServers(),
    checkProvider: () => providerStatus(store.get()),
    ...sessionOperations(session, (ws) => sinks.get(ws)),
    ...pronunciationOperations(dictionary, () => store.get()),
    attachSink: (_request, ws) => {
      // The same page attaching again is the same sink to the session: it lost its audio, and no other page took over.
      const sink = sinks.get(ws) ?? socketSink(ws);
      sinks.set(ws, sink);
      session.attachSink(sink);
      return session.view();
    },
    // A page that loads, or comes back, does so on a socket of its own: it is sent the texts it lacks first (VIEW_REPLIES).
    sessionView: () => session.view(),
    // A browser opens the settings in a tab of its own.
    finishWelcome: () => welcome.finish(),
    // The page opens these itself (a tab each); a browser has no popover to pin.
    openSettings: () => {},
    showPlayer: () => {},
    pinMini: () => {},
    updateStatus: () => WEB_UPDATES,
    updateAction: () => WEB_UPDATES,
    saveAudio: (request) => saves.save(textToSave(session, request), request.format, (name, preferred) => savedFiles.target(name, preferred, token)),
    cancelSave: () => saves.cancel(),
  };

  function serveControl(ws: WebSocket): void {
    const outbox = new ControlOutbox(ws, () => console.warn('utter web: a page stopped reading its updates (a frozen or unreachable tab): its connection was closed.'));
    controls.set(ws, outbox);
    textsSent.set(ws, new TextsSent((textId) => session.textOf(textId)));
    outbox.send(helloMessage({ instance, beatMs: heartbeat.everyMs }));
    // A beat replaces one not yet sent: a page that is behind needs no more than one.
    heartbeat.watch(ws, () => outbox.send(BEAT_MESSAGE, 'beat'));
    // A page that reloads or crashes takes its audio with it: the session goes on in the next one.
    ws.on('close', () => {
      controls.delete(ws);
      const sink = sinks.get(ws);
      sinks.delete(ws);
      if (sink) session.detachSink(sink);
    });
    ws.on('message', (data, isBinary) => {
      let message: ControlRequest;
      try {
        if (isBinary) throw new Error('binary');
        message = JSON.parse(String(data)) as ControlRequest;
        if (!message || typeof message !== 'object' || Array.isArray(message)) throw new Error('not an object');
      } catch {
        return outbox.send(JSON.stringify({ id: -1, error: 'Control messages are JSON objects: {id, op, request}.' }));
      }
      const id = message.id;
      const fail = (error: string): void => outbox.send(JSON.stringify({ id, error }));
      if (!isOperation(message.op)) return fail(`Unknown operation: ${JSON.stringify(message.op)}.`);
      const checked = checkRequest(message.op, message.request);
      if (!checked.ok) return fail(checked.error);
      const op = message.op;
      const handler = handlers[op] as (request: unknown, ws: WebSocket) => unknown;
      Promise.resolve()
        .then(() => handler(checked.request, ws))
        .then(
          (result) => outbox.send(JSON.stringify({ id, result }), null, VIEW_REPLIES.has(op) ? textsAhead(ws, result as SessionView) : undefined),
          (error: Error) => fail(error.message),
        );
    });
  }

  const listenHost = options.host ?? '127.0.0.1';
  const listenPort = options.port ?? 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => reject(listenError(error, listenHost, listenPort)));
    server.listen(listenPort, listenHost, resolve);
  });
  const appSocket = options.appSocket
    ? await startAppSocket(options.appSocket, (request) => {
        if (request.type === 'speak') return session.speak([request.text]);
        return request.type === 'doctor' ? '`utter web` runs no in-app diagnostics: run `utter doctor` without the app.' : '`utter web` cannot read the clipboard: pass the text, as in `utter speak "…"`.';
      })
    : null;
  const address = server.address() as AddressInfo;
  place = { host: options.host, port: address.port, scheme };
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const origin = `${scheme}://${host}:${address.port}`;
  return {
    url: `${origin}/?token=${token}`,
    origin,
    session,
    clientCount: () => sockets.clients.size + audioServer.clients.size,
    close: async () => {
      await session.close();
      saves.cancel();
      await savedFiles.close();
      await voice.close();
      links.flush();
      appSocket?.close();
      stopWatchingDictionary();
      stopFollowingSettings();
      audioSockets.close();
      heartbeat.close();
      for (const client of [...sockets.clients, ...audioServer.clients]) client.terminate();
      sockets.close();
      audioServer.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A page's name for itself: a short token of its own choosing, or none. */
function pageName(given: string | null): string | null {
  return given && /^[\w-]{8,64}$/.test(given) ? given : null;
}

/** The app:// handler itself (renderer-files.ts) answers, so both serve the same files with the same headers and rules. */
async function serveFile(serve: (request: Request) => Promise<Response>, req: IncomingMessage, res: ServerResponse): Promise<void> {
  // Checked before building a Request, which refuses methods such as TRACE outright.
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD' }).end('Method not allowed');
    return;
  }
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  const response = await serve(new Request(`${APP_ORIGIN}${path}`, { method: req.method }));
  res.writeHead(response.status, { ...Object.fromEntries(response.headers), 'Cache-Control': 'no-cache' });
  res.end(response.body ? Buffer.from(await response.arrayBuffer()) : undefined);
}

// What the app's own pages may ask of the main process: the contract's operations, each
// behind one wrapper that checks the sender (our page's main frame) and then the payload
// against the operation's schema, before its handler sees it.
import { z } from 'zod';
import { app, ipcMain, MessageChannelMain, type IpcMainEvent, type IpcMainInvokeEvent, type MessagePortMain, type WebContents } from 'electron';
import type { Settings } from '../../shared/config/schema';
import { channelOf, checkRequest, OPERATIONS, OPERATION_NAMES, PAGE_EVENTS, type OperationHandlers, type OperationName } from '../../shared/contract';
import type { PublicSettings } from '../../shared/renderer-api';
import type { SessionView } from '../../shared/session';
import { TextsSent } from '../../shared/session-texts';
import { APP_ORIGIN } from '../pages/app-protocol';
import { createProvider } from '../engine/engine';
import { findLocalServers } from '../engine/local-servers';
import { providerStatus } from '../engine/provider-check';
import { voiceList } from '../engine/voice-list';
import type { EngineLink } from '../engine/link';
import type { Session, SessionSink } from '../session/session';
import { sessionOperations, textToSave } from '../session/session-operations';
import { pronunciationOperations } from '../session/pronunciation-operations';
import type { PronunciationStore } from '../store/pronunciation-store';
import type { SettingsStore } from '../store/settings-store';
import type { AppUpdates } from '../shell/updates';
import type { SaveFormat } from '../../shared/save';
import type { SaveJobs, SaveTarget } from '../save/save-jobs';

export interface PageIpcDeps {
  store: SettingsStore;
  /** The settings the engine speaks with (the stored ones, with the environment on top). */
  engineSettings(): Settings;
  /** The stored settings plus what only the shell knows (hotkeys taken, start at login). */
  withShellState(settings: PublicSettings): PublicSettings;
  setOpenAtLogin(openAtLogin: boolean): Promise<void>;
  openSettings(): void;
  /** The full player, from the mini player. */
  showPlayer(): void;
  /** The welcome window is done with. */
  finishWelcome(): void;
  /** Whether the mini player stays open when it loses the focus. */
  pinMini(pinned: boolean): void;
  session: Session;
  updates: AppUpdates;
  saves: SaveJobs;
  /** The save dialog: where a text's audio goes, or null when the user cancels. */
  chooseSaveTarget(name: string, format: SaveFormat): Promise<SaveTarget | null>;
  pronunciations: PronunciationStore;
}

/** Start at login, the one setting that is not in the settings schema (the OS keeps it). */
const openAtLoginSchema = z.boolean().optional();

/** Who asked: the IPC event of a request (invoke) or of a message (send). */
type Asker = IpcMainInvokeEvent | IpcMainEvent;

export function registerPageIpc(deps: PageIpcDeps): void {
  const { session } = deps;
  /** The sink each page attached as, so its facts are told apart from a page it replaced. */
  const sinks = new WeakMap<WebContents, SessionSink>();
  /** Pages whose loss is watched: once each, however often they attach (a reload attaches again). */
  const sinksWatched = new WeakSet<WebContents>();
  /**
   * Pages that show the session, each with what its document has of the session's texts:
   * each gets its view on every change, its texts first.
   */
  const viewers = new Map<WebContents, TextsSent>();
  /** Pages whose loads and loss are watched: once each, however often they ask. */
  const viewersWatched = new WeakSet<WebContents>();
  /** Sends `contents` the texts `view` names that its document lacks, ahead of the view; it shows the session from now on. */
  const textsAhead = (contents: WebContents, view: SessionView): void => {
    let sent = viewers.get(contents);
    if (!sent) viewers.set(contents, (sent = new TextsSent((textId) => session.textOf(textId))));
    sent.sendAhead(view, (texts) => contents.send(PAGE_EVENTS.texts, texts));
    if (viewersWatched.has(contents)) return;
    viewersWatched.add(contents);
    // A new document (F5, a crashed page loaded again) has none of the texts: it gets no view
    // until it asks, as one that came first would name texts it lacks and show them empty.
    contents.on('did-navigate', () => viewers.delete(contents));
    contents.once('destroyed', () => viewers.delete(contents));
  };
  session.subscribe((view) => {
    for (const contents of viewers.keys()) {
      if (contents.isDestroyed()) continue;
      textsAhead(contents, view);
      contents.send(PAGE_EVENTS.session, view);
    }
  });
  deps.saves.subscribe((status) => {
    for (const contents of viewers.keys()) if (!contents.isDestroyed()) contents.send(PAGE_EVENTS.save, status);
  });
  session.subscribeLevel((level) => {
    for (const contents of viewers.keys()) if (!contents.isDestroyed()) contents.send(PAGE_EVENTS.level, level);
  });
  // Pages that asked for the settings, or the dictionary: each gets them again whenever they change.
  const settingsReaders = new Readers();
  // After the store's other listeners, which register the hotkeys anew: their problems are then current.
  deps.store.subscribe(() => queueMicrotask(() => settingsReaders.send(PAGE_EVENTS.settings, () => deps.withShellState(deps.store.publicSettings()))));
  const dictionaryReaders = new Readers();
  deps.pronunciations.subscribe((rules) => dictionaryReaders.send(PAGE_EVENTS.pronunciations, () => rules));
  handleOperations({
    appInfo: () => ({ version: app.getVersion(), shell: 'electron' }),
    settings: (_request, event) => {
      settingsReaders.add(event.sender);
      return deps.withShellState(deps.store.publicSettings());
    },
    ...sessionOperations(session, (event) => sinks.get(event.sender)),
    ...pronunciationOperations(deps.pronunciations, deps.engineSettings),
    pronunciations: (_request, event) => {
      dictionaryReaders.add(event.sender);
      return deps.pronunciations.rules();
    },
    attachSink: (_request, event) => {
      const contents = event.sender;
      // A page that loads again in the same window is the same sink to the session.
      const sink = sinks.get(contents) ?? contentsSink(contents);
      sinks.set(contents, sink);
      if (!sinksWatched.has(contents)) {
        sinksWatched.add(contents);
        // A crashed or closed page takes its audio with it: the session goes on elsewhere.
        const lost = (): void => {
          // A crashed page that loads again attaches again, and is watched again.
          sinksWatched.delete(contents);
          session.detachSink(sinks.get(contents)!);
        };
        contents.once('render-process-gone', lost);
        contents.once('destroyed', lost);
      }
      session.attachSink(sink);
      const view = session.view();
      textsAhead(contents, view);
      return view;
    },
    // A page that shows the session's view without playing (none yet) gets its changes too;
    // asking again (the Test voice view mounts anew) sends none of the texts it has.
    sessionView: (_request, event) => {
      const view = session.view();
      textsAhead(event.sender, view);
      return view;
    },
    updateSettings: async (fields) => {
      // "Start at login" belongs to the OS, not to settings.json.
      const { openAtLogin, ...rest } = fields;
      const login = openAtLoginSchema.safeParse(openAtLogin);
      if (!login.success) return { ok: false, issues: [{ setting: 'openAtLogin', value: openAtLogin, message: 'Start at login must be on or off.' }] };
      if (login.data !== undefined) await deps.setOpenAtLogin(login.data);
      // The store validates with the one zod schema and refuses each bad value with its range;
      // its subscribers register the hotkeys anew, so their problems are current here.
      const result = await deps.store.update(rest);
      return result.ok ? { ...result, settings: deps.withShellState(result.settings) } : result;
    },
    voices: () => voiceList(createProvider(deps.engineSettings())),
    localServers: () => findLocalServers(),
    checkProvider: () => providerStatus(deps.engineSettings()),
    openSettings: () => deps.openSettings(),
    showPlayer: () => deps.showPlayer(),
    finishWelcome: () => deps.finishWelcome(),
    pinMini: (pinned) => deps.pinMini(pinned),
    updateStatus: () => deps.updates.status,
    saveAudio: (request) => deps.saves.save(textToSave(session, request), request.format, (name, preferred) => deps.chooseSaveTarget(name, preferred)),
    cancelSave: () => deps.saves.cancel(),
    updateAction: (action) => (action === 'check' ? deps.updates.check() : action === 'download' ? deps.updates.download() : deps.updates.install()),
  });
}

/** Pages that asked for something that changes: each is sent it again, until it is gone. */
class Readers {
  private readonly pages = new Set<WebContents>();

  add(contents: WebContents): void {
    if (this.pages.has(contents)) return;
    this.pages.add(contents);
    contents.once('destroyed', () => this.pages.delete(contents));
  }

  /** Sends each page `payload()`, made once and only when a page is there to get it. */
  send(channel: string, payload: () => unknown): void {
    if (!this.pages.size) return;
    const message = payload();
    for (const contents of this.pages) if (!contents.isDestroyed()) contents.send(channel, message);
  }
}

/**
 * A page as the session's audio sink. One port per utterance: the page hands its end to
 * the decoder worker, so the audio bytes never pass through the page's main thread.
 */
function contentsSink(contents: WebContents): SessionSink {
  return {
    play: (ticket) => {
      const { port1, port2 } = new MessageChannelMain();
      contents.postMessage(PAGE_EVENTS.play, ticket, [port2]);
      return portLink(port1);
    },
    transport: (action) => {
      if (!contents.isDestroyed()) contents.send(PAGE_EVENTS.transport, action);
    },
  };
}

/**
 * Registers every operation of the contract, as VS Code's ValidatedIpcMain does: a sender
 * that is not our page's main frame is refused first, then a payload its schema refuses.
 * A refused request rejects with why; a refused message is dropped with a warning.
 */
function handleOperations(handlers: OperationHandlers<Asker>): void {
  for (const name of OPERATION_NAMES) {
    const handler = handlers[name] as (request: unknown, event: Asker) => unknown;
    if (OPERATIONS[name].kind === 'invoke') {
      ipcMain.handle(channelOf(name), (event, payload: unknown) => handler(checked(name, event, payload), event));
    } else {
      ipcMain.on(channelOf(name), (event, payload: unknown) => {
        try {
          handler(checked(name, event, payload), event);
        } catch (error) {
          console.warn(`Utter: ${(error as Error).message}`);
        }
      });
    }
  }
}

/** The payload once the sender and the schema have passed it; throws with why not. */
function checked(name: OperationName, event: Asker, payload: unknown): unknown {
  if (!isTrustedSender(event)) throw new Error(`IPC refused: untrusted sender for ${name}.`);
  const result = checkRequest(name, payload);
  if (!result.ok) throw new Error(result.error);
  return result.request;
}

/** The engine's end of an utterance's MessagePortMain. Bytes go as copies, never a transfer list. */
function portLink(port: MessagePortMain): EngineLink {
  const link: EngineLink = {
    send: (event) => port.postMessage(event),
    onMessage: (handler) => port.on('message', (message) => handler(message.data)),
    onClose: (handler) => port.on('close', handler),
    close: () => port.close(),
  };
  port.start();
  return link;
}

/** Our page (app://, or the dev server while unpackaged), and its main frame, not an iframe. */
function isTrustedSender(event: Asker): boolean {
  const frame = event.senderFrame;
  const devUrl = process.env.ELECTRON_RENDERER_URL;
  const origin = frame ? originOf(frame.url) : '';
  const trusted = origin === APP_ORIGIN || (!app.isPackaged && devUrl !== undefined && origin === originOf(devUrl));
  return Boolean(frame) && frame!.parent === null && trusted;
}

/** scheme://host of a URL. (URL.origin is "null" for schemes Node does not know, such as app:.) */
function originOf(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}`;
  } catch {
    return '';
  }
}

/**
 * A page script that plays the part of the Electron preload, so the renderer's Electron
 * path (window.utter, the session's messages, audio MessagePorts handed over by
 * window.postMessage with a nonce) runs in Chromium with the real session behind
 * `utter web` standing in for the main process.
 *
 * Like the real main process, the session hands the page one MessagePort per utterance;
 * the engine's events reach that port from `utter web`'s per-utterance socket. Every
 * message the page sends to "main" is counted in `window.mainProcess.calls`, so a test can
 * prove that a hotkey needs none of them.
 */
import { AUDIO_PORT_MESSAGE, OPERATIONS, OPERATION_NAMES } from '../../shared/contract';
import { CHUNK_FOLLOWING_AT, CHUNK_HEADER_BYTES, CHUNK_READ_AT } from '../../shared/playback/link-protocol';

const KINDS = Object.fromEntries(OPERATION_NAMES.map((name) => [name, OPERATIONS[name].kind]));

export const PRELOAD_STANDIN = `(() => {
  const token = new URLSearchParams(location.search).get('token') || '';
  const base = 'ws://' + location.host;
  const nonce = crypto.randomUUID();
  const pending = new Map();
  const listeners = { texts: new Set(), session: new Set(), transport: new Set(), level: new Set(), save: new Set(), settings: new Set(), pronunciations: new Set() };
  const calls = [];
  const chunkBytes = [];
  let nextCall = 1;
  let control = null;
  // As page-ipc.ts: the session's view, its texts, the level and saves go only to a page that
  // asked for the view (attachSink or sessionView); play and transport go to the sink.
  let viewing = false;
  const VIEWER_EVENTS = ['texts', 'session', 'level', 'save'];
  // And the settings, or the dictionary, only to a page that asked for them.
  const reads = new Set();

  /** main: a MessageChannelMain per utterance; its far end goes to the page with the ticket. */
  const handOverPort = (ticket) => {
    const channel = new MessageChannel();
    const engine = channel.port1;
    const ws = new WebSocket(base + '/audio?token=' + encodeURIComponent(token));
    ws.binaryType = 'arraybuffer';
    const queued = [JSON.stringify({ claim: ticket.id })];
    ws.onopen = () => queued.splice(0).forEach((text) => ws.send(text));
    ws.onmessage = (message) => {
      if (typeof message.data === 'string') return engine.postMessage(JSON.parse(message.data));
      // The chunk event as the main process would post it (link-protocol's decodeChunkFrame).
      const view = new DataView(message.data);
      chunkBytes.push(message.data.byteLength - ${CHUNK_HEADER_BYTES});
      const readMs = view.getFloat64(${CHUNK_READ_AT}, true);
      const following = view.getUint32(${CHUNK_FOLLOWING_AT}, true);
      engine.postMessage({ type: 'chunk', segmentIndex: view.getUint32(0, true), ...(Number.isFinite(readMs) ? { readMs } : {}), ...(following > 0 ? { following } : {}), bytes: new Uint8Array(message.data, ${CHUNK_HEADER_BYTES}) });
    };
    engine.onmessage = (message) => {
      const text = JSON.stringify(message.data);
      if (ws.readyState === WebSocket.OPEN) ws.send(text);
      else queued.push(text);
    };
    window.postMessage({ type: ${JSON.stringify(AUDIO_PORT_MESSAGE)}, nonce, ticket }, location.origin, [channel.port2]);
  };

  const connect = () => control ??= new Promise((resolve, reject) => {
    const ws = new WebSocket(base + '/control?token=' + encodeURIComponent(token));
    ws.onopen = () => resolve(ws);
    ws.onerror = () => reject(new Error('no utter web'));
    ws.onmessage = (message) => {
      const data = JSON.parse(message.data);
      // webContents.send and postMessage from main: the session's view, a port, an action.
      if (data.event === 'play') return handOverPort(data.payload);
      if (data.event && VIEWER_EVENTS.includes(data.event) && !viewing) return;
      if ((data.event === 'settings' || data.event === 'pronunciations') && !reads.has(data.event)) return;
      if (data.event) return listeners[data.event]?.forEach((listener) => listener(data.payload));
      const waiter = pending.get(data.id);
      pending.delete(data.id);
      if (data.error !== undefined) waiter?.reject(new Error(data.error));
      else waiter?.resolve(data.result);
    };
  });

  const kinds = ${JSON.stringify(KINDS)};
  const call = (op, request) => {
    calls.push({ op, kind: kinds[op] });
    if (op === 'attachSink' || op === 'sessionView') viewing = true;
    if (op === 'settings' || op === 'pronunciations') reads.add(op);
    const reply = connect().then((ws) => new Promise((resolve, reject) => {
      const id = nextCall++;
      pending.set(id, { resolve, reject });
      ws.send(JSON.stringify({ id, op, request }));
    }));
    if (kinds[op] === 'invoke') return reply;
    reply.catch((error) => console.warn('Utter: ' + error.message));
  };
  window.utter = {
    ...Object.fromEntries(Object.keys(kinds).map((name) => [name, (request) => call(name, request)])),
    appInfo: async () => ({ version: 'test', shell: 'electron' }),
    on: (event, listener) => {
      listeners[event].add(listener);
      return () => listeners[event].delete(listener);
    },
    audioPortNonce: nonce,
  };
  window.mainProcess = {
    /** Every operation the page asked of main, in order, with its kind (invoke or send). */
    calls,
    /** The size of every audio chunk main sent down a port. */
    chunkBytes,
    /** A message that looks like the preload's but lacks its nonce, carrying a port that fails the utterance. */
    postLookAlike: (id) => {
      const channel = new MessageChannel();
      channel.port1.postMessage({ type: 'error', error: { kind: 'input', message: 'a look-alike port was used' } });
      window.postMessage({ type: ${JSON.stringify(AUDIO_PORT_MESSAGE)}, nonce: 'not-the-nonce', ticket: { id, offset: 0, streaming: true, pcmSampleRate: 24000, streamBufferMs: 200, streamMaxBuffer: 2 } }, location.origin, [channel.port2]);
    },
  };
})();`;


/**
 * A page script that plays the part of the Electron preload and main process, so the
 * renderer's Electron path (window.utter, audio MessagePorts handed over by
 * window.postMessage with a nonce, commands from the tray and hotkeys, status reports for
 * the tray) runs in Chromium with the real engine behind `utter web`.
 *
 * Like the real main process it hands the page one MessagePort per utterance; the engine's
 * events reach that port from `utter web`'s per-utterance socket. The test drives it through
 * `window.mainProcess`: send(command) is webContents.send, statuses are what the tray saw.
 */
import { AUDIO_PORT_MESSAGE, OPERATION_NAMES } from '../../shared/contract';

export const PRELOAD_STANDIN = `(() => {
  const token = new URLSearchParams(location.search).get('token') || '';
  const base = 'ws://' + location.host;
  const nonce = crypto.randomUUID();
  const pending = new Map();
  let nextCall = 1;
  let control = null;

  const call = (op, request) => {
    control ??= new Promise((resolve, reject) => {
      const ws = new WebSocket(base + '/control?token=' + encodeURIComponent(token));
      ws.onopen = () => resolve(ws);
      ws.onerror = () => reject(new Error('no utter web'));
      ws.onmessage = (message) => {
        const reply = JSON.parse(message.data);
        const waiter = pending.get(reply.id);
        pending.delete(reply.id);
        if (reply.error !== undefined) waiter?.reject(new Error(reply.error));
        else waiter?.resolve(reply.result);
      };
    });
    return control.then((ws) => new Promise((resolve, reject) => {
      const id = nextCall++;
      pending.set(id, { resolve, reject });
      ws.send(JSON.stringify({ id, op, request }));
    }));
  };

  /** main: a MessageChannelMain per utterance; its far end goes to the page. */
  const handOverPort = (id) => {
    const channel = new MessageChannel();
    const engine = channel.port1;
    const ws = new WebSocket(base + '/audio?token=' + encodeURIComponent(token) + '&id=' + id);
    ws.binaryType = 'arraybuffer';
    const queued = [];
    ws.onopen = () => queued.splice(0).forEach((text) => ws.send(text));
    ws.onmessage = (message) => engine.postMessage(typeof message.data === 'string'
      ? JSON.parse(message.data)
      : { type: 'chunk', segmentIndex: new DataView(message.data).getUint32(0, true), bytes: new Uint8Array(message.data, 4) });
    engine.onmessage = (message) => {
      const text = JSON.stringify(message.data);
      if (ws.readyState === WebSocket.OPEN) ws.send(text);
      else queued.push(text);
    };
    window.postMessage({ type: ${JSON.stringify(AUDIO_PORT_MESSAGE)}, nonce, id }, location.origin, [channel.port2]);
  };

  let listener = null;
  const early = [];
  const statuses = [];
  // Every operation of the contract goes to utter web, as the real preload's go to main;
  // the stand-in main process answers the ones it plays itself.
  const operations = Object.fromEntries(${JSON.stringify(OPERATION_NAMES)}.map((name) => [name, (request) => call(name, request)]));
  window.utter = {
    ...operations,
    appInfo: async () => ({ version: 'test', shell: 'electron' }),
    speak: async (request) => {
      const { id } = await operations.speak(request);
      window.mainProcess.lastUtteranceId = id;
      handOverPort(id);
      return { id };
    },
    onCommand: (next) => {
      listener = next;
      early.splice(0).forEach(next);
      return () => { if (listener === next) listener = null; };
    },
    reportStatus: (report) => statuses.push(report),
    openSettings: () => {},
    audioPortNonce: nonce,
  };
  window.mainProcess = {
    lastUtteranceId: 0,
    send: (command) => (listener ? listener(command) : early.push(command)),
    statuses,
    /** A message that looks like the preload's but lacks its nonce, carrying a port that fails the utterance. */
    postLookAlike: (id) => {
      const channel = new MessageChannel();
      channel.port1.postMessage({ type: 'error', error: { kind: 'input', message: 'a look-alike port was used' } });
      window.postMessage({ type: ${JSON.stringify(AUDIO_PORT_MESSAGE)}, nonce: 'not-the-nonce', id }, location.origin, [channel.port2]);
    },
  };
})();`;

// Finds the TTS servers people run on this computer, so the settings can offer one in a
// click. Only 127.0.0.1 is asked, every port at once and briefly, and nothing is kept between
// calls: a server started a moment ago is found the next time the settings open.
import { request } from 'node:http';
import type { LocalServer } from '../../shared/renderer-api';

/** How long one port may take to answer everything asked of it. */
export const LOCAL_PROBE_TIMEOUT_MS = 400;

/** The one address asked: a page must not be able to turn the search onto another machine. */
const LOOPBACK = '127.0.0.1';

/** An answer is read only this far: a list of voices is a few kilobytes. */
const MAX_ANSWER_BYTES = 1024 * 1024;

/** What a port answered to one GET: its status, its body, and the body as JSON (undefined when it is not). */
export interface Answer {
  status: number;
  text: string;
  json: unknown;
}

/** GETs a path of the port being probed; null when nothing usable came back. Kinds at one port share the answers. */
export type Ask = (path: string) => Promise<Answer | null>;

/** A kind of server: the port it listens on by default, and how to tell it from others there. */
export interface LocalServerKind {
  id: LocalServer['id'];
  label: string;
  port: number;
  /** This kind, with the voices it lists; null when what answers is not this kind. */
  identify(ask: Ask): Promise<{ voices?: string[] } | null>;
}

/** openedai-speech lists no voices: these are the ones its default configuration maps. */
const OPENEDAI_VOICES = ['alloy', 'echo', 'fable', 'onyx', 'nova', 'shimmer'];

/** A server that answers the OpenAI model list, whatever it is. */
const anyOpenAiServer = async (ask: Ask): Promise<{ voices?: string[] } | null> => {
  if (!modelList(await ask('/v1/models'))) return null;
  const voices = voiceNames(await ask('/v1/audio/voices'));
  return voices.length ? { voices } : {};
};

/**
 * The servers users run, in the order they are tried at a port: the first that recognises
 * what answers names it, so the catch-all comes last.
 */
export const LOCAL_SERVER_KINDS: readonly LocalServerKind[] = [
  {
    id: 'kokoro-fastapi',
    label: 'Kokoro-FastAPI',
    port: 8880,
    identify: async (ask) => {
      const voices = voiceNames(await ask('/v1/audio/voices'));
      if (voices.length) return { voices };
      // Its model list names it, should the voices be unavailable.
      return modelList(await ask('/v1/models'))?.some((model) => model.owned_by === 'kokoro') ? {} : null;
    },
  },
  {
    id: 'speaches',
    label: 'Speaches',
    port: 8000,
    identify: async (ask) => {
      const [health, models] = await Promise.all([ask('/health'), ask('/v1/models')]);
      const list = modelList(models);
      if (!list) return null;
      // Its models come from Hugging Face (speaches-ai/Kokoro-82M-v1.0-ONNX) with a task;
      // with none downloaded, its bare "OK" at /health still tells it apart.
      const named = list.some((model) => /speaches/i.test(`${model.id} ${model.owned_by}`) || typeof model.task === 'string');
      const saysOk = health?.status === 200 && health.text.trim() === 'OK';
      if (!named && !saysOk) return null;
      const voices = voiceNames(await ask('/v1/audio/voices'));
      return voices.length ? { voices } : {};
    },
  },
  {
    id: 'openedai-speech',
    label: 'openedai-speech',
    port: 8000,
    identify: async (ask) => {
      const list = modelList(await ask('/v1/models'));
      const isIt = list?.some((model) => /^tts-1(-hd)?$/.test(model.id)) && list.every((model) => model.owned_by === 'user');
      return isIt ? { voices: OPENEDAI_VOICES } : null;
    },
  },
  { id: 'openai-compatible', label: 'OpenAI-compatible server', port: 8880, identify: anyOpenAiServer },
  { id: 'openai-compatible', label: 'OpenAI-compatible server', port: 8000, identify: anyOpenAiServer },
];

/**
 * The servers that answer on this computer, at most one per port, in the order of `kinds`.
 * Never throws: a port that is closed, slow or answers something else is left out.
 */
export async function findLocalServers(kinds: readonly LocalServerKind[] = LOCAL_SERVER_KINDS, timeoutMs = LOCAL_PROBE_TIMEOUT_MS): Promise<LocalServer[]> {
  const ports = [...new Set(kinds.map((kind) => kind.port))].filter((port) => Number.isInteger(port) && port > 0 && port < 65536);
  const found = await Promise.all(ports.map((port) => identifyPort(port, kinds.filter((kind) => kind.port === port), timeoutMs)));
  return found.filter((server): server is LocalServer => server !== null);
}

/** What answers at one port, tried kind by kind, all within `timeoutMs`. */
async function identifyPort(port: number, kinds: readonly LocalServerKind[], timeoutMs: number): Promise<LocalServer | null> {
  const abandon = new AbortController();
  const asked = new Map<string, Promise<Answer | null>>();
  const ask: Ask = (path) => {
    if (!asked.has(path)) asked.set(path, get(port, path, abandon.signal));
    return asked.get(path)!;
  };
  const identified = (async (): Promise<LocalServer | null> => {
    for (const kind of kinds) {
      const match = await kind.identify(ask).catch(() => null);
      if (match) return { id: kind.id, label: kind.label, baseUrl: `http://${LOOPBACK}:${port}/v1`, ...(match.voices?.length ? { voices: match.voices } : {}) };
      if (abandon.signal.aborted) return null;
    }
    return null;
  })();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), timeoutMs)));
  try {
    return await Promise.race([identified, late]);
  } finally {
    clearTimeout(timer);
    // Whatever is still open is dropped, so a server that hangs keeps no socket of ours.
    abandon.abort();
  }
}

/** One GET on loopback, with no connection pool, no redirect followed and no proxy. */
function get(port: number, path: string, signal: AbortSignal): Promise<Answer | null> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(null);
    const req = request({ host: LOOPBACK, port, path, method: 'GET', agent: false, signal, headers: { accept: 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_ANSWER_BYTES) return void req.destroy();
        chunks.push(chunk);
      });
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, text, json: parseJson(text) });
      });
      res.on('error', () => resolve(null));
      res.on('close', () => resolve(null));
    });
    req.on('error', () => resolve(null));
    req.end();
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A model as the OpenAI list gives it; servers add fields of their own (Speaches: task). */
interface ListedModel {
  id: string;
  owned_by?: unknown;
  task?: unknown;
}

/** The models of an OpenAI-style `{data: [...]}` answer; null when the answer is not one. */
function modelList(answer: Answer | null): ListedModel[] | null {
  const data = answer?.status === 200 ? (answer.json as { data?: unknown } | undefined)?.data : undefined;
  if (!Array.isArray(data)) return null;
  return data.filter((model): model is ListedModel => Boolean(model) && typeof (model as ListedModel).id === 'string');
}

/** Voice names from `{voices: ["af_bella"]}` (Kokoro-FastAPI before 0.3) or `{voices: [{id, name}]}`. */
function voiceNames(answer: Answer | null): string[] {
  const voices = answer?.status === 200 ? (answer.json as { voices?: unknown } | undefined)?.voices : undefined;
  if (!Array.isArray(voices)) return [];
  const names = voices.map((voice: unknown) => {
    if (typeof voice === 'string') return voice;
    const { id, name } = (voice ?? {}) as { id?: unknown; name?: unknown };
    return typeof id === 'string' ? id : typeof name === 'string' ? name : '';
  });
  return [...new Set(names.filter((name) => name.length > 0 && name.length < 200))];
}

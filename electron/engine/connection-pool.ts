import { Agent, fetch as undiciFetch } from 'undici';
import { boundAnswer } from './bounded-answers';

/**
 * How long an idle connection to a speech server is kept when the server does not say (a
 * `Keep-Alive: timeout=…` it sends still wins). Node's own fetch keeps one 4 s, so a hotkey
 * pressed 5 s after the last utterance paid DNS, TCP and TLS again: tens to hundreds of ms
 * to a server on the internet. 25 s stays under the shortest idle limit reported for hosted
 * APIs (30 s), so a request is not written onto a connection the server has dropped.
 */
export const IDLE_CONNECTION_MS = 25_000;

const pool = new Agent({ keepAliveTimeout: IDLE_CONNECTION_MS });

/**
 * fetch through that pool: the speech requests, the voice lists and the link warmer share
 * its connections, so the one the warmer opened is the one the first request goes out on.
 * (undici's own fetch with its own Agent: Node's built-in fetch bundles another undici.)
 * Only audio is read whole: errors and lists are bounded (see boundAnswer). A redirect is
 * answered, not followed: fetch would resend a 301's or 302's POST as a GET, without its text,
 * and the key with it to wherever the server points (see redirectRefused).
 */
export const speechFetch = (async (input: string | URL, init?: RequestInit) =>
  boundAnswer(await undiciFetch(input, { ...(init as object), dispatcher: pool, redirect: 'manual' }), (init?.method ?? 'GET').toUpperCase())) as unknown as typeof fetch;

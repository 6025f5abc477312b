// The control socket's own messages between `utter web` and its pages, besides the contract's
// requests and pushes: a hello that names this run of the server, and a heartbeat.

/** How often `utter web` pings each socket, and beats on each page's control socket. */
export const HEARTBEAT_MS = 15_000;
/** Beats a page may miss before it takes the connection for lost (the server may be late by a little). */
export const MISSED_BEATS = 2;

/** The server's first message on a control socket. */
export interface ControlHello {
  /** New at each start of `utter web`: a page that sees it change knows the old session is gone. */
  instance: string;
  /** The server's heartbeat interval: the page times its patience from it. */
  beatMs: number;
}

/** The heartbeat, sent on each control socket every `beatMs`. */
export const BEAT_MESSAGE = '{"beat":1}';

/** The hello as sent. */
export function helloMessage(hello: ControlHello): string {
  return JSON.stringify({ hello });
}

/** How late a message may come before a page gives up on it: a third of a beat, 5 s at 15 s beats. */
function leewayMs(beatMs: number): number {
  return Math.round(beatMs / 3);
}

/** How long a page waits without hearing anything before it takes its connection for lost: 35 s at 15 s beats. */
export function silenceLimitMs(beatMs: number): number {
  return beatMs * MISSED_BEATS + leewayMs(beatMs);
}

/**
 * How long a page waits for the hello on a socket just opened (5 s). The server says hello
 * at once, so the page owes it only the leeway, not the beats; and it cannot know the
 * server's own beat before the hello, so it counts from the protocol's.
 */
export const HELLO_LIMIT_MS = leewayMs(HEARTBEAT_MS);

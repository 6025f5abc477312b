import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { hostname, networkInterfaces } from 'node:os';

/** Where and how a `utter web` listens: what its requests' Host must name. */
export interface ServerPlace {
  /** The --host it listens on; none: 127.0.0.1. */
  host: string | undefined;
  port: number;
  scheme: 'http' | 'https';
}

/** This machine's own addresses and name (os in use; a test gives its own). */
export interface Machine {
  addresses(): string[];
  hostname(): string;
}

const THIS_MACHINE: Machine = {
  addresses: () => Object.values(networkInterfaces()).flatMap((entries) => (entries ?? []).map((entry) => entry.address)),
  hostname,
};

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];
/** --host values that listen on every interface. */
const EVERY_INTERFACE = new Set(['0.0.0.0', '::', '[::]']);

/** Whether `--host` listens on every interface, so that other machines come by this one's names. */
export function listensEverywhere(host: string | undefined): boolean {
  return host !== undefined && EVERY_INTERFACE.has(host.toLowerCase());
}

/** The names another machine can reach this one by: its name, then its IPv4 addresses off loopback. */
export function namesForOthers(): string[] {
  const addresses = Object.values(networkInterfaces())
    .flatMap((entries) => entries ?? [])
    .filter((entry) => !entry.internal && entry.family === 'IPv4')
    .map((entry) => entry.address);
  return [hostname(), ...addresses];
}
/** A browser leaves the scheme's own port out of Host and Origin. */
const DEFAULT_PORTS = { http: 80, https: 443 };

/**
 * Whether a request's Host names this server: a loopback name, or its --host, on its port.
 * Listening on every interface, this machine's own addresses and name count too, so that
 * another machine can open the page. Any other name is refused: a page that rebinds its own
 * name (DNS rebinding) to this machine still sends that name.
 */
export function answersAs(hostHeader: string | undefined, place: ServerPlace, machine: Machine = THIS_MACHINE): boolean {
  const host = splitHost(hostHeader, place.scheme);
  if (!host || host.port !== place.port) return false;
  const listening = place.host === undefined ? undefined : asHostName(place.host);
  if (LOOPBACK_NAMES.includes(host.name) || host.name === listening) return true;
  return listensEverywhere(listening) && machineNames(machine).includes(host.name);
}

/**
 * Whether an Origin is the page's own, at the Host the request came to: the same scheme,
 * name and port, the default port written or not.
 */
export function sameOrigin(origin: string | undefined, hostHeader: string | undefined, scheme: ServerPlace['scheme']): boolean {
  const prefix = `${scheme}://`;
  if (!origin?.toLowerCase().startsWith(prefix)) return false;
  const from = splitHost(origin.slice(prefix.length), scheme);
  const to = splitHost(hostHeader, scheme);
  return !!from && !!to && from.name === to.name && from.port === to.port;
}

/** A Host value's name (lowercase, IPv6 in brackets) and port (the scheme's when left out), or null if it is not one. */
function splitHost(value: string | undefined, scheme: ServerPlace['scheme']): { name: string; port: number } | null {
  const match = /^(\[[0-9a-f:.]+\]|[a-z0-9._-]+)(?::(\d{1,5}))?$/.exec(value?.toLowerCase() ?? '');
  if (!match) return null;
  return { name: match[1], port: match[2] === undefined ? DEFAULT_PORTS[scheme] : Number(match[2]) };
}

/** A --host value or an address as a Host header writes it. */
function asHostName(host: string): string {
  const name = host.toLowerCase();
  return name.includes(':') && !name.startsWith('[') ? `[${name}]` : name;
}

/** This machine's addresses, its name, and its name on the local network (mDNS, `name.local`). */
function machineNames(machine: Machine): string[] {
  const name = machine.hostname().toLowerCase();
  const names = machine.addresses().map((address) => asHostName(address.replace(/%.*$/, '')));
  return [...names, name, ...(name.includes('.') ? [] : [`${name}.local`])];
}

/** Compares in constant time, by bytes: a token of as many characters but more bytes is just wrong. */
export function tokenMatches(given: string | null, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Why a request is refused before anything else: a Host it does not answer as, or a target that is not a path. */
export function refuseRequest(req: IncomingMessage, place: ServerPlace | null): { status: number; reason: string; why: string } | null {
  if (!place || !answersAs(req.headers.host, place)) {
    return { status: 421, reason: 'Misdirected Request', why: "utter web answers only as 127.0.0.1, localhost, [::1] or its --host (with --host 0.0.0.0, this machine's addresses and name too), on its own port." };
  }
  try {
    new URL(req.url ?? '/', 'http://localhost');
  } catch {
    return { status: 400, reason: 'Bad Request', why: 'The request target is not a path.' };
  }
  return null;
}

// Why a server could not be reached, in plain words: one wording for the settings' check and
// for a speech request that failed.

/** Errors of a connection the server closed before it answered (a reset, undici's "other side closed", a broken pipe). */
export const CLOSED_UNANSWERED = new Set(['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE']);

/** An error and the causes under it, as deep as fetch keeps what happened (a cause or two down). */
export function* causeChain(error: unknown): Generator<unknown> {
  for (let cause = error, depth = 0; cause && depth < 4; depth++, cause = (cause as { cause?: unknown }).cause) yield cause;
}

/** The system's error code, which fetch keeps a cause or two down. */
export function errorCode(error: unknown): string | undefined {
  for (const cause of causeChain(error)) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/** fetch will not connect to the ports browsers block (6000, 5060, 10080…), and says only "bad port". */
function refusedPort(error: unknown): boolean {
  for (const cause of causeChain(error)) if ((cause as { message?: unknown }).message === 'bad port') return true;
  return false;
}

/**
 * Why an answer was not HTTP, when it was not (an SSH banner, a bad Content-Length, both a
 * Content-Length and chunks): the reason undici's parser gave, else its code.
 */
export function notHttp(error: unknown): string | undefined {
  for (const cause of causeChain(error)) {
    const { name, code, message } = cause as { name?: unknown; code?: unknown; message?: unknown };
    if (name === 'HTTPParserError' || (typeof code === 'string' && code.startsWith('HPE_'))) {
      // "Response does not match the HTTP/1.1 protocol (Invalid character in Content-Length)"
      return /\(([^()]+)\)$/.exec(String(message))?.[1] ?? (typeof code === 'string' ? code : 'unparsable');
    }
    if (code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH') return 'a Content-Length that does not match the body';
    if (code === 'UND_ERR_HEADERS_OVERFLOW') return 'headers too large';
  }
  return undefined;
}

/** A certificate this computer does not trust: fetch names it by one of OpenSSL's codes. */
function untrustedCertificate(code: string | undefined): boolean {
  return code !== undefined && /CERT|SELF_SIGNED|TLS/.test(code);
}

/**
 * True when trying this server again cannot help: fetch refuses its port, its certificate is
 * not trusted, or what answers there does not speak HTTP. Another server may still be reached.
 */
export function unreachableFromHere(error: unknown): boolean {
  const code = errorCode(error);
  return refusedPort(error) || untrustedCertificate(code) || code === 'ERR_SSL_WRONG_VERSION_NUMBER' || notHttp(error) !== undefined;
}

/**
 * A sentence for a failed connection to `url`, naming the server as `where` (its host, or its
 * base URL); undefined when there is nothing plainer to say than the error itself.
 */
export function whyUnreachable(error: unknown, where: string, url: URL): string | undefined {
  if (refusedPort(error)) return `Cannot reach ${where}: port ${url.port} is one that fetch, like browsers, will not connect to. Run the server on another port.`;
  const garbled = notHttp(error);
  if (garbled) return `${where} answered with something that is not valid HTTP (${garbled}).`;
  const code = errorCode(error);
  if (code && CLOSED_UNANSWERED.has(code)) return `${where} closed the connection without an answer (${code}).`;
  switch (code) {
    case 'ECONNREFUSED':
      return `Nothing answers at ${where}: is the server running?`;
    case 'ENOTFOUND':
      return `Cannot reach ${where}: no computer is named ${url.hostname}.`;
    case 'EAI_AGAIN':
      return `Cannot reach ${where}: the name ${url.hostname} cannot be looked up now. Is the network up?`;
    case 'ERR_SSL_WRONG_VERSION_NUMBER':
      // OpenSSL's word for a TLS hello answered in plain HTTP.
      return `${where} answers in plain HTTP, not HTTPS: start its base URL with http://.`;
    case 'ENETUNREACH':
    case 'EHOSTUNREACH':
    case 'ETIMEDOUT':
      return `Cannot reach ${where} (${code}): is the network up?`;
  }
  if (untrustedCertificate(code)) return `${where} did not show a certificate this computer trusts (${code}).`;
  return undefined;
}

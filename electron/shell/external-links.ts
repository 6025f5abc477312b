/** The only places the app sends the user's browser to (Electron's checklist: openExternal). */
const ALLOWED_HOSTS = new Set(['github.com', 'platform.openai.com', 'espeak-ng.github.io']);

/** True for an https link to an allow-listed host, with no credentials in it. */
export function isAllowedExternalUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' && ALLOWED_HOSTS.has(parsed.hostname) && !parsed.username && !parsed.password && !parsed.port;
  } catch {
    return false;
  }
}

// What the app says about the speech service: a check of the provider in use, and the
// speech servers found on this computer. The bridge's checkProvider() and localServers()
// answer these.

/** A provider check's answer: how the provider in use answered, and why, in words. */
export interface ProviderStatus {
  status: 'reachable' | 'key-refused' | 'unreachable' | 'offline-voice';
  detail: string;
}

/** A speech server answering on this computer (Kokoro-FastAPI on its usual port, …). */
export interface LocalServer {
  id: string;
  label: string;
  baseUrl: string;
  voices?: string[];
}

import type { Settings, SettingsIssue } from './config/schema';
import type { PageEventName, PageEventPayloads, PageOperations } from './contract';

/** What the app tells its windows about itself. */
export interface AppInfo {
  version: string;
  /** 'electron' for the app, 'web' for `utter web`. */
  shell: 'electron' | 'web';
  /** The player page shows the welcome (`utter web`'s first start; the app opens a window of its own). */
  welcome?: boolean;
}

/** What a page may know of the settings: everything but the secret, and whether one is set. */
export type PublicSettings = Omit<Settings, 'apiKey' | 'apiKeyOrigins'> & {
  apiKeySet?: boolean;
  /** Servers in use that the key is kept from, because it was entered for others: the user may confirm it for them. */
  apiKeyWithheldFrom?: string[];
  /** Shortcuts the app could not take (another application holds them), per action, with why. */
  hotkeyProblems?: Partial<Record<keyof Settings['hotkeys'], string>>;
  /** Settings an UTTER_* variable sets, with its name: the variable wins over the stored value. */
  fromEnvironment?: Partial<Record<keyof Settings, string>>;
  /** Whether the app starts at login; absent where the shell cannot (a browser). Set it through updateSettings. */
  openAtLogin?: boolean;
};

/**
 * The answer to updateSettings(): the new settings, or each refused value with its range.
 * `notSaved`: applied, but not all kept for the next run, and why (shown instead of "Saved.").
 */
export type SettingsUpdateResult = { ok: true; settings: PublicSettings; notSaved?: string } | { ok: false; issues: SettingsIssue[] };

/** A voice the provider offers. */
export interface VoiceOption {
  id: string;
  name?: string;
  language?: string;
}

/** The voices on offer, and why a server's own are missing from them. */
export interface VoiceList {
  voices: VoiceOption[];
  /** One line for each server whose voice list could not be read: "Could not read the voices of …: …". */
  unread: string[];
}

/** A TTS server running on this computer, found by asking the ports such servers use. */
/** The local audio cache, as the settings show it. */
export interface CacheState {
  /** False when the cap is 0, or where there is no cache (a test's utter web). */
  on: boolean;
  bytes: number;
  entries: number;
  capBytes: number;
}

export interface LocalServer {
  id: 'kokoro-fastapi' | 'speaches' | 'openedai-speech' | 'openai-compatible';
  /** Its name as its users know it: "Kokoro-FastAPI". */
  label: string;
  /** Its OpenAI-compatible API, ready for the Base URLs setting: "http://127.0.0.1:8880/v1". */
  baseUrl: string;
  /** The voices it offers, where it says. */
  voices?: string[];
}

/** Whether the configured provider can speak now, as one cheap request found it. */
export interface ProviderStatus {
  /** offline-voice: the embedded voice, which needs no server and is always there. */
  status: 'reachable' | 'key-refused' | 'unreachable' | 'offline-voice';
  /** Why, in plain words: "Nothing answers at 127.0.0.1:8880." */
  detail: string;
  /** The HTTP status the server answered with, when it answered. */
  httpStatus?: number;
}

/** The app's messages a page listens to, but `play`, whose port comes by window message. */
export type ListenedEvent = Exclude<PageEventName, 'play'>;

/**
 * What the Electron preload exposes as `window.utter`: the contract's operations, the app's
 * messages, and the nonce on the audio-port messages it forwards.
 */
export type UtterApi = PageOperations & {
  /** Listens to one of the app's messages. Returns an unsubscribe. */
  on<E extends ListenedEvent>(event: E, listener: (payload: PageEventPayloads[E]) => void): () => void;
  /** The nonce the preload puts on the audio-port messages it forwards. */
  audioPortNonce: string;
};

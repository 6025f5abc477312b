import type { AppCommand, PlayerStatusReport } from './app-commands';
import type { Settings, SettingsIssue } from './config/schema';
import type { AppInfo } from './ipc-channels';
import type { SpeakRequest } from './playback/link-protocol';

/** What a page may know of the settings: everything but the secret, and whether one is set. */
export type PublicSettings = Omit<Settings, 'apiKey'> & {
  apiKeySet?: boolean;
  /** Shortcuts the app could not take (another application holds them), per action, with why. */
  hotkeyProblems?: Partial<Record<keyof Settings['hotkeys'], string>>;
  /** Settings an UTTER_* variable sets, with its name: the variable wins over the stored value. */
  fromEnvironment?: Partial<Record<keyof Settings, string>>;
  /** Whether the app starts at login; absent where the shell cannot (a browser). Set it through updateSettings. */
  openAtLogin?: boolean;
};

/** The answer to updateSettings(): the new settings, or each refused value with its range. */
export type SettingsUpdateResult = { ok: true; settings: PublicSettings } | { ok: false; issues: SettingsIssue[] };

/** A voice the provider offers. */
export interface VoiceOption {
  id: string;
  name?: string;
  language?: string;
}

/** The answer to speak(): the audio follows on the utterance's own link. */
export interface SpeakTicket {
  id: number;
}

/**
 * The page's whole view of the app: the Electron preload implements it over
 * IPC, and `utter web`'s bridge over a WebSocket, so the renderer is the same code in both.
 */
export interface UtterApi {
  appInfo(): Promise<AppInfo>;
  settings(): Promise<PublicSettings>;
  /** Validated by the one schema; applies at once. `apiKey` goes to safe storage, '' clears it. */
  updateSettings(patch: Record<string, unknown>): Promise<SettingsUpdateResult>;
  /** The voices of the provider the settings choose (a server's own list where it has one). */
  voices(): Promise<VoiceOption[]>;
  /** Starts speaking. In Electron the audio port arrives by window.postMessage (see audio-port.ts). */
  speak(request: SpeakRequest): Promise<SpeakTicket>;
  /** Opens (or brings forward) the settings window. */
  openSettings?(): void;
  /** Electron only: commands from the tray and the hotkeys. Returns an unsubscribe. */
  onCommand?(listener: (command: AppCommand) => void): () => void;
  /** Electron only: the player's state, for the tray. */
  reportStatus?(report: PlayerStatusReport): void;
  /** Electron only: the nonce the preload puts on the audio-port messages it forwards. */
  audioPortNonce?: string;
}

/** The message the preload posts to the page with an utterance's MessagePort. */
export const AUDIO_PORT_MESSAGE = 'utter:audio-port';

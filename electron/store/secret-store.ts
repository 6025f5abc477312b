// Where the API key lives in the app: encrypted by Electron's
// safeStorage in a file of its own, never in settings.json and never sent to a page.
// Only types come from 'electron' (they vanish at runtime), so this file is testable in Node.
import { readFile, rm } from 'node:fs/promises';
import type { SafeStorage } from 'electron';
import { writeFileAtomically } from './atomic-file';

/** Holds one secret (the API key). */
export interface SecretStore {
  /** The stored secret, or undefined when none is stored. Throws when it cannot be decrypted. */
  get(): Promise<string | undefined>;
  /** Stores the secret; undefined (or '') removes it. Throws when it cannot be stored safely. */
  set(value: string | undefined): Promise<void>;
  /** A user-facing warning when a stored secret would not really be protected on this system. */
  warning(): string | undefined;
}

/**
 * The part of Electron's safeStorage that is used. getSelectedStorageBackend is optional
 * because it exists only on Linux; Electron's own object fits this type everywhere.
 * (encryptString/decryptString are marked deprecated in favour of the async variants, but
 * the sync ones still work and keep this store simple.)
 */
export type SafeStorageApi = Pick<SafeStorage, 'isEncryptionAvailable' | 'encryptString' | 'decryptString'> &
  Partial<Pick<SafeStorage, 'getSelectedStorageBackend'>>;

const UNAVAILABLE =
  'Utter cannot save the API key: this system offers no encryption for it (no keyring or keychain is available), ' +
  'and Utter will not store it in clear text. Set the UTTER_API_KEY environment variable instead.';

const BASIC_TEXT =
  'No system keyring was found, so the saved API key is only obscured, not protected: any program running as you ' +
  'can read it. Install and unlock a keyring (GNOME Keyring or KWallet) and restart Utter, or set the ' +
  'UTTER_API_KEY environment variable instead of saving the key.';

/** A secret store that keeps the key encrypted with safeStorage in `file` (binary, written atomically). */
export function createSafeStorageSecretStore(safeStorage: SafeStorageApi, file: string): SecretStore {
  return {
    async get() {
      let encrypted: Buffer;
      try {
        encrypted = await readFile(file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
      if (!safeStorage.isEncryptionAvailable()) {
        throw new Error(`The saved API key in ${file} cannot be decrypted: encryption is not available on this system.`);
      }
      try {
        return safeStorage.decryptString(encrypted);
      } catch (error) {
        // Typically the keyring was reset or the file came from another machine.
        throw new Error(`The saved API key in ${file} cannot be decrypted (${(error as Error).message}); enter it again.`);
      }
    },

    async set(value) {
      // Removing a key must work even where encryption does not.
      if (!value) return rm(file, { force: true });
      if (!safeStorage.isEncryptionAvailable()) throw new Error(UNAVAILABLE);
      await writeFileAtomically(file, safeStorage.encryptString(value), 0o600);
    },

    warning() {
      if (!safeStorage.isEncryptionAvailable()) return UNAVAILABLE;
      // 'basic_text' encrypts with a password hard-coded in Chromium: obscured, not protected.
      if (safeStorage.getSelectedStorageBackend?.() === 'basic_text') return BASIC_TEXT;
      return undefined;
    },
  };
}

/** A secret store in memory, for tests and for runs that must not touch the disk. */
export function memorySecretStore(initial?: string): SecretStore {
  let secret = initial || undefined;
  return {
    get: async () => secret,
    set: async (value) => {
      secret = value || undefined;
    },
    warning: () => undefined,
  };
}

// The simulated copy behind "Speak selection": every format on the clipboard is saved first
// and put back afterwards, also when the copy fails or times out, so the user's clipboard is
// never lost. The clipboard and the keystroke come in as parameters (tests/shell/selection-copy.test.ts).

/** One entry of the clipboard, as Electron's ClipboardItem (and the W3C one) has it. */
export interface ClipboardItemLike {
  readonly types: readonly string[];
  getType(type: string): Promise<unknown>;
}

/** The clipboard calls the copy needs; Electron's promise-based clipboard has them all. */
export interface ClipboardAccess {
  read(): Promise<ClipboardItemLike[]>;
  write(items: ClipboardItemLike[]): Promise<void>;
  readText(): Promise<string>;
  clear(): void;
}

/** Makes a clipboard item from its formats' data (Electron: `new ClipboardItem(entries)`). */
export type NewClipboardItem = (entries: Record<string, unknown>) => ClipboardItemLike;

/**
 * Sends the copy keystroke. Resolves to the copied text when the sender knows it (selection-hook
 * reads it itself), or null to have the clipboard read. Stops what it does when `signal` aborts.
 */
export type PressCopy = (signal: AbortSignal) => Promise<string | null>;

/** The clipboard's content, every format read out, so a later copy cannot change it. */
export type ClipboardSnapshot = Record<string, unknown>[];

/** What the copy found, and whether the clipboard was put back. */
export type CopyOutcome =
  | { ok: true; text: string }
  | { ok: false; reason: string };

export interface CopyOptions {
  /** Longest the whole copy may take, the keystroke's command included (PowerShell starts slowly). */
  timeoutMs?: number;
  /** How long the application is given to answer once the keystroke is sent. */
  settleMs?: number;
  /** How often the clipboard is looked at meanwhile. */
  pollMs?: number;
  /**
   * Empty the clipboard before the keystroke, so that a copy that did nothing reads as empty
   * rather than as the old content. Off for a copier that returns the text itself and restores
   * natively (selection-hook): the clipboard is then never written by Utter at all.
   */
  clearFirst?: boolean;
}

/** Reads every format of every item now (an item from read() may fetch lazily, after the copy). */
export async function snapshotClipboard(clipboard: ClipboardAccess): Promise<ClipboardSnapshot> {
  const items = await clipboard.read();
  return Promise.all(
    items.map(async (item) => Object.fromEntries(await Promise.all(item.types.map(async (type) => [type, await item.getType(type)] as const)))),
  );
}

/** Puts a snapshot back in one write (atomic in Electron), or clears the clipboard if it was empty. */
export async function restoreClipboard(clipboard: ClipboardAccess, newItem: NewClipboardItem, saved: ClipboardSnapshot): Promise<void> {
  const items = saved.filter((entries) => Object.keys(entries).length > 0);
  if (items.length === 0) clipboard.clear();
  else await clipboard.write(items.map((entries) => newItem(entries)));
}

/** Whether the clipboard holds exactly the snapshot: then it is left alone (selection-hook restores natively). */
async function holdsSnapshot(clipboard: ClipboardAccess, saved: ClipboardSnapshot): Promise<boolean> {
  const now = await snapshotClipboard(clipboard);
  if (now.length !== saved.length) return false;
  for (let i = 0; i < now.length; i++) {
    const types = Object.keys(now[i]);
    if (types.length !== Object.keys(saved[i]).length) return false;
    for (const type of types) {
      if (!(type in saved[i]) || !(await sameData(now[i][type], saved[i][type]))) return false;
    }
  }
  return true;
}

async function sameData(a: unknown, b: unknown): Promise<boolean> {
  if (a instanceof Blob && b instanceof Blob) {
    if (a.size !== b.size || a.type !== b.type) return false;
    return Buffer.from(await a.arrayBuffer()).equals(Buffer.from(await b.arrayBuffer()));
  }
  return JSON.stringify(a) === JSON.stringify(b);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Copies the selection with `press` and returns its text, with the clipboard as it was before whatever happens. */
export async function copyPreservingClipboard(
  clipboard: ClipboardAccess,
  newItem: NewClipboardItem,
  press: PressCopy,
  { timeoutMs = 3000, settleMs = 500, pollMs = 25, clearFirst = true }: CopyOptions = {},
): Promise<CopyOutcome> {
  let saved: ClipboardSnapshot;
  try {
    saved = await snapshotClipboard(clipboard);
  } catch (error) {
    // Copying now could lose what the user had: do not.
    return { ok: false, reason: `the clipboard could not be saved first (${reasonOf(error)}), so Utter did not copy over it` };
  }
  const abort = new AbortController();
  let outcome: CopyOutcome;
  try {
    if (clearFirst) clipboard.clear();
    const started = Date.now();
    outcome = await Promise.race([copyText(clipboard, press, abort.signal, started + timeoutMs, settleMs, pollMs), timeout(timeoutMs, abort.signal)]);
  } catch (error) {
    outcome = { ok: false, reason: `the copy failed: ${reasonOf(error)}` };
  } finally {
    abort.abort();
  }
  // A clipboard that cannot be compared now is restored all the same.
  const unchanged = await holdsSnapshot(clipboard, saved).catch(() => false);
  try {
    if (!unchanged) await restoreClipboard(clipboard, newItem, saved);
  } catch (error) {
    const lost = `your clipboard could not be put back (${reasonOf(error)})`;
    return outcome.ok ? { ok: false, reason: lost } : { ok: false, reason: `${outcome.reason}, and ${lost}` };
  }
  return outcome;
}

async function copyText(clipboard: ClipboardAccess, press: PressCopy, signal: AbortSignal, latest: number, settleMs: number, pollMs: number): Promise<CopyOutcome> {
  const direct = await press(signal);
  if (direct !== null) return { ok: true, text: direct };
  // The application answers the keystroke in its own time.
  const deadline = Math.min(latest, Date.now() + settleMs);
  for (;;) {
    const text = await clipboard.readText();
    if (text !== '' || signal.aborted || Date.now() >= deadline) return { ok: true, text };
    await sleep(pollMs);
  }
}

/** A keystroke that never returns is given up on a little after the latest deadline. */
function timeout(ms: number, signal: AbortSignal): Promise<CopyOutcome> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ ok: false, reason: `the copy did not finish within ${ms} ms` }), ms + 50);
    signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
  });
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// A clipboard with several formats per item, as Electron's promise-based clipboard shows it:
// read() gives items whose getType() fetches lazily (so a snapshot must read every format at
// once), write() replaces everything in one go, clear() empties it.
import type { ClipboardAccess, ClipboardItemLike, NewClipboardItem } from '../../electron/shell/selection-copy';

export type Formats = Record<string, unknown>;

/** A clipboard item made from its formats' data, like `new ClipboardItem(entries)`. */
export const newItem: NewClipboardItem = (entries) => ({ types: Object.keys(entries), getType: async (type) => entries[type] });

export class FakeClipboard implements ClipboardAccess {
  items: Formats[] = [];
  writes = 0;
  clears = 0;
  failRead: Error | null = null;
  failWrite: Error | null = null;

  constructor(items: Formats[] = []) {
    this.items = items;
  }

  async read(): Promise<ClipboardItemLike[]> {
    if (this.failRead) throw this.failRead;
    return this.items.map((formats, index) => ({
      types: Object.keys(formats),
      getType: async (type: string) => {
        const now = this.items[index]?.[type];
        if (now === undefined) throw new Error(`${type} is no longer on the clipboard`);
        return now;
      },
    }));
  }

  async write(items: ClipboardItemLike[]): Promise<void> {
    if (this.failWrite) throw this.failWrite;
    this.writes++;
    this.items = await Promise.all(items.map(async (item) => Object.fromEntries(await Promise.all(item.types.map(async (type) => [type, await item.getType(type)])))));
  }

  async readText(): Promise<string> {
    const plain = this.items[0]?.['text/plain'];
    if (plain instanceof Blob) return plain.text();
    return typeof plain === 'string' ? plain : '';
  }

  clear(): void {
    this.clears++;
    this.items = [];
  }

  /** What an application's copy puts there. */
  copied(text: string): void {
    this.items = [{ 'text/plain': new Blob([text], { type: 'text/plain' }) }];
  }
}

/** Every format's bytes (or value), to compare a clipboard with what it held before. */
export async function contents(items: Formats[]): Promise<unknown[]> {
  return Promise.all(
    items.map(async (formats) =>
      Object.fromEntries(
        await Promise.all(
          Object.entries(formats).map(async ([type, data]) => [type, data instanceof Blob ? { type: data.type, bytes: [...new Uint8Array(await data.arrayBuffer())] } : data]),
        ),
      ),
    ),
  );
}

/** A clipboard as a user leaves it: text, HTML, an image, an app's private format and a bookmark. */
export function richClipboard(): Formats[] {
  return [
    {
      'text/plain': new Blob(['my precious clipboard'], { type: 'text/plain' }),
      'text/html': new Blob(['<b>my precious clipboard</b>'], { type: 'text/html' }),
      'image/png': new Blob([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 255, 7])], { type: 'image/png' }),
      'electron application/osclipboard;format="com.example.private"': new Blob([new Uint8Array([1, 2, 3, 0, 4])]),
    },
    { 'electron application/bookmark': { title: 'Utter', url: 'https://example.com/' } },
  ];
}

import type { Clipboard, ClipboardItem } from 'electron';
import { describe, expect, it, vi, type Mock } from 'vitest';
import { readClipboardForSpeech } from '../../electron/shell/clipboard-text';
import { MAX_TEXT_BYTES } from '../../shared/text-limit';

/**
 * Electron's clipboard as electron.d.ts and docs/api/clipboard.md describe it (W3C style):
 * read() resolves with one ClipboardItem listing the MIME types on offer, and readText()
 * resolves with the text/plain content, or '' when there is none.
 */
function fakeClipboard(contents: Record<string, string>): Pick<Clipboard, 'readText' | 'read'> & { read: Mock<Clipboard['read']> } {
  const types = Object.keys(contents);
  // ClipboardItem.getType is overloaded per MIME type; the module never calls it.
  const item = { types, getType: async (type: string) => new Blob([contents[type]]) } as unknown as ClipboardItem;
  return {
    readText: async () => contents['text/plain'] ?? '',
    read: vi.fn(async () => (types.length > 0 ? [item] : [])),
  };
}

describe('readClipboardForSpeech', () => {
  it('gives the text as it is, without looking at other formats', async () => {
    const clipboard = fakeClipboard({ 'text/plain': '  Hello, world.\n' });
    expect(await readClipboardForSpeech(clipboard)).toEqual({ ok: true, text: '  Hello, world.\n' });
    expect(clipboard.read).not.toHaveBeenCalled();
  });

  it('prefers text when an image comes with it (a copied web page, a document)', async () => {
    const result = await readClipboardForSpeech(fakeClipboard({ 'image/png': '\x89PNG', 'text/html': '<p>Caption</p>', 'text/plain': 'Caption' }));
    expect(result).toEqual({ ok: true, text: 'Caption' });
  });

  it('says the clipboard is empty when it is, or holds only whitespace', async () => {
    const empty = { ok: false, message: 'The clipboard is empty.' };
    expect(await readClipboardForSpeech(fakeClipboard({}))).toEqual(empty);
    expect(await readClipboardForSpeech(fakeClipboard({ 'text/plain': ' \n\t\u00a0 ' }))).toEqual(empty);
  });

  it('says so when the clipboard holds an image', async () => {
    expect(await readClipboardForSpeech(fakeClipboard({ 'image/png': '\x89PNG' }))).toEqual({
      ok: false,
      message: 'The clipboard holds an image, not text.',
    });
    expect(await readClipboardForSpeech(fakeClipboard({ 'image/jpeg': '', 'text/plain': '   ' }))).toMatchObject({
      message: 'The clipboard holds an image, not text.',
    });
  });

  it('names other formats when there is no plain text', async () => {
    const result = await readClipboardForSpeech(fakeClipboard({ 'text/html': '<b>x</b>', 'text/rtf': '{\\rtf1}' }));
    expect(result).toEqual({ ok: false, message: 'The clipboard holds no plain text (only text/html, text/rtf).' });
  });

  it('allows very long text up to the one limit, counted in bytes, and refuses more with the numbers', async () => {
    const atCap = 'a'.repeat(MAX_TEXT_BYTES);
    const allowed = await readClipboardForSpeech(fakeClipboard({ 'text/plain': atCap }));
    expect(allowed.ok && allowed.text.length).toBe(MAX_TEXT_BYTES);
    const refused = await readClipboardForSpeech(fakeClipboard({ 'text/plain': `${atCap}b` }));
    expect(refused).toEqual({ ok: false, message: 'The clipboard text is too long to speak: 10,000,001 bytes; the most is 10,000,000 bytes (10 MB).' });
    // In bytes, not characters: 4 million 3-byte characters are 12 MB.
    const cjk = await readClipboardForSpeech(fakeClipboard({ 'text/plain': '語'.repeat(4_000_000) }));
    expect(cjk).toEqual({ ok: false, message: 'The clipboard text is too long to speak: 12,000,000 bytes; the most is 10,000,000 bytes (10 MB).' });
  });

  it('turns a failed read into a message instead of rejecting', async () => {
    const broken: Pick<Clipboard, 'readText' | 'read'> = {
      readText: async () => {
        throw new Error('NotAllowedError: read denied');
      },
      read: async () => [],
    };
    expect(await readClipboardForSpeech(broken)).toEqual({ ok: false, message: 'The clipboard could not be read: NotAllowedError: read denied' });
  });
});

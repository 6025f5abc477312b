import { describe, expect, it } from 'vitest';
import { useWebRig, waitForText } from '../support/utter-web';

/**
 * Text files dropped on the player (or opened) are read aloud in order; a binary or an
 * oversized file is refused by name and the others still play.
 */
const web = useWebRig();

/** Drops files built in the page: [name, bytes] pairs. */
async function drop(files: [string, number[]][]): Promise<void> {
  await web.page.evaluate(`(() => {
    const transfer = new DataTransfer();
    for (const [name, bytes] of ${JSON.stringify(files)}) transfer.items.add(new File([new Uint8Array(bytes)], name));
    document.querySelector('[data-testid=drop-zone]').dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
  })()`);
}

const utf8 = (text: string): number[] => [...new TextEncoder().encode(text)];
const utf16le = (text: string): number[] => [0xff, 0xfe, ...[...text].flatMap((c) => [c.charCodeAt(0) & 0xff, c.charCodeAt(0) >> 8])];

describe('dropping files on the player', () => {
  it('reads text files in order, refuses a binary by name, and the next file follows the first', async () => {
    // Every state the page shows, so that a blink to idle between the two files is seen.
    await web.page.evaluate(`(() => {
      const state = document.querySelector('[data-testid=state]');
      window.shownStates = [state.textContent];
      new MutationObserver(() => window.shownStates.push(state.textContent)).observe(state, { childList: true, characterData: true, subtree: true });
    })()`);
    await drop([
      ['first.txt', utf8('First file, plain UTF-8.')],
      ['picture.png', [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]],
      ['second.md', utf16le('Second file, UTF-16 with BOM.')],
    ]);
    await waitForText(web.page, 'state', 'playing');
    // A slow app (a loaded machine) hears the page's facts late; the player must still
    // not look idle between the two files.
    await web.page.evaluate(`(() => {
      const send = WebSocket.prototype.send;
      WebSocket.prototype.send = function (data) {
        if (typeof data === 'string' && data.includes('"op":"sinkFact"')) setTimeout(() => send.call(this, data), 300);
        else send.call(this, data);
      };
    })()`);
    expect(await web.page.getByTestId('text-input').inputValue()).toBe('First file, plain UTF-8.');
    expect(await web.page.getByTestId('notice').textContent()).toMatch(/picture\.png is not a text file/);
    // The test server's clip is 7.9 s; then the second file takes over.
    await expect.poll(() => web.page.getByTestId('text-input').inputValue(), { timeout: 20_000 }).toBe('Second file, UTF-16 with BOM.');
    await waitForText(web.page, 'state', 'idle', 20_000);
    expect(web.rig.tts.speechRequests().map((r) => r.body.input)).toEqual(['First file, plain UTF-8.', 'Second file, UTF-16 with BOM.']);
    const shown = (await web.page.evaluate('window.shownStates')) as string[];
    expect(shown.slice(1, -1), shown.join(' → ')).not.toContain('idle');
  }, 60_000);

  it('says why when nothing can be read', async () => {
    await drop([['empty.txt', []], ['data.bin', [0, 1, 2, 3]]]);
    await expect.poll(() => web.page.getByTestId('error').textContent()).toMatch(/empty\.txt is empty\. data\.bin is not a text file/);
  });

  it('shows what a drop refused until a text it did not bring starts; a drop with nothing to read stays the error as the text ends', async () => {
    await drop([['note.txt', utf8('A note from a drop.')], ['empty.txt', []]]);
    await expect.poll(() => web.page.getByTestId('notice').textContent()).toMatch(/empty\.txt is empty\./);
    // The tray, a hotkey or another page speaks: the refusal went with the drop it came from.
    expect(web.rig.web.session.speak(['A text from the tray.'])).toBeNull();
    await expect.poll(() => web.page.getByTestId('text-input').inputValue()).toBe('A text from the tray.');
    expect(await web.page.getByTestId('notice').textContent()).not.toMatch(/empty\.txt/);
    // Nothing of this drop can be read: it is the error while that text plays on, and after it ends.
    await drop([['picture.png', [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]]]);
    await expect.poll(() => web.page.getByTestId('error').textContent()).toMatch(/^picture\.png is not a text file/);
    await waitForText(web.page, 'state', 'idle', 20_000);
    expect(await web.page.getByTestId('error').textContent()).toMatch(/^picture\.png is not a text file/);
  }, 40_000);

  it('reads a few Han characters saved as UTF-16 without a BOM, whose bytes are ASCII ("`O}Y"), as Chromium decodes them', async () => {
    await drop([['chinese.txt', [...Buffer.from('你好', 'utf16le')]]]);
    await expect.poll(() => web.page.getByTestId('text-input').inputValue()).toBe('你好');
    await expect.poll(() => web.rig.tts.speechRequests().at(-1)?.body.input).toBe('你好');
    await waitForText(web.page, 'state', 'idle', 20_000);
  }, 40_000);
});

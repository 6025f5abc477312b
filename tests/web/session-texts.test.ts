import { describe, expect, it } from 'vitest';
import type { PlayTicket, SessionText, SessionView } from '../../shared/session';
import { openControlPage, useWebServerEachTest, type ControlPage } from '../support/control-page';

/**
 * A view goes to every page on every sentence heard: it names the texts by id, and each
 * text crosses a page's control socket once (utter web stringifies what it sends on the
 * process that streams the audio).
 */
const servers = useWebServerEachTest();

type Message = { id?: number; result?: SessionView; error?: string; event?: string; payload?: unknown };

/** A control socket as a page opens it, counting the bytes it receives; `ask` waits for the reply. */
async function openPage(): Promise<ControlPage<Message> & { ask: (id: number, op: string, request?: unknown) => Promise<Message> }> {
  const page = await openControlPage<Message>(servers.web);
  const ask = async (id: number, op: string, request?: unknown): Promise<Message> => {
    page.socket.send(JSON.stringify({ id, op, request }));
    await expect.poll(() => page.messages.some((message) => message.id === id)).toBe(true);
    return page.messages.find((message) => message.id === id)!;
  };
  return { ...page, ask };
}

const textsIn = (messages: Message[]) => messages.flatMap((message) => (message.event === 'texts' ? (message.payload as SessionText[]) : []));
const views = (messages: Message[]) => messages.filter((message) => message.event === 'session');

/** 2 MB to read and 2 MB waiting: before, every view carried both. */
const READING = 'Read at length, a sentence at a time. '.repeat(55_000);
const WAITING = 'Waiting its turn in the queue. '.repeat(68_000);

describe('utter web and the session texts', () => {
  it('sends each text to each page once, however many sentences are heard, and again to a page that connects again', async () => {
    const player = await openPage();
    await player.ask(1, 'attachSink');
    const viewer = await openPage();
    await viewer.ask(1, 'sessionView');
    expect(await player.ask(2, 'speak', { texts: [READING, WAITING] })).not.toHaveProperty('error');
    await expect.poll(() => player.messages.some((message) => message.event === 'play')).toBe(true);
    const { id } = player.messages.find((message) => message.event === 'play')!.payload as PlayTicket;
    const changes = 30;
    for (let index = 0; index < changes; index++) player.socket.send(JSON.stringify({ id: 100 + index, op: 'sinkFact', request: { type: 'playing', id, index } }));
    // Then one change more, to know when both pages have had them all.
    player.socket.send(JSON.stringify({ id: 200, op: 'setRate', request: 1.5 }));
    const caughtUp = (page: { messages: Message[] }) => (views(page.messages).at(-1)?.payload as SessionView | undefined)?.rate === 1.5;
    await expect.poll(() => caughtUp(player) && caughtUp(viewer), { timeout: 20_000 }).toBe(true);
    for (const page of [player, viewer]) {
      // The bytes do not grow with the changes: each view carried 4 MB before.
      expect(page.bytes()).toBeLessThan(READING.length + WAITING.length + changes * 5_000);
      const texts = textsIn(page.messages);
      expect(texts.map((text) => text.text)).toEqual([READING, WAITING]);
      // Each came ahead of the first view that names it.
      const last = views(page.messages).at(-1)!.payload as SessionView;
      expect(last.current!.textId).toBe(texts[0].textId);
      expect(last.queued).toEqual([{ textId: texts[1].textId, chars: WAITING.length, preview: WAITING.slice(0, 200) }]);
      const firstNaming = page.messages.findIndex((message) => message.event === 'session' && (message.payload as SessionView).current?.textId === texts[0].textId);
      expect(page.messages.findIndex((message) => message.event === 'texts')).toBeLessThan(firstNaming);
    }
    // A page that connects again (a reload, a lost network) has none of them: each comes once more.
    viewer.socket.close();
    const back = await openPage();
    const reply = await back.ask(1, 'sessionView');
    expect(reply.result!.current!.id).toBe(id);
    expect(textsIn(back.messages).map((text) => text.text)).toEqual([READING, WAITING]);
    expect(back.messages.findIndex((message) => message.event === 'texts')).toBeLessThan(back.messages.indexOf(reply));
    back.socket.close();
    player.socket.close();
  });

  it('refuses, with why, an id of a text the session does not hold: to remove, replay or save', async () => {
    const page = await openPage();
    expect(await page.ask(1, 'replay', { textId: 42 })).toMatchObject({ error: expect.stringMatching(/^That text is no longer in the history or the queue, so it cannot be spoken again/) });
    expect(await page.ask(2, 'unqueue', { index: 0, textId: 42 })).toMatchObject({ error: expect.stringMatching(/^unqueue refused: That text no longer waits in the queue/) });
    expect(await page.ask(3, 'saveAudio', { textId: 42, format: 'wav' })).toMatchObject({ error: expect.stringMatching(/^That text is no longer in the history or the queue, so it cannot be saved/) });
    expect(await page.ask(4, 'saveAudio', { format: 'wav' })).toMatchObject({ error: expect.stringContaining('saveAudio refused: takes the text to save, or the id of a text the session holds') });
    expect(await page.ask(5, 'unqueue', { index: 0, text: 'By its words.' })).toMatchObject({ error: expect.stringContaining('unqueue refused') });
    // Nothing changed for it.
    expect((await page.ask(6, 'sessionView')).result).toMatchObject({ state: 'idle', current: null, queued: [], history: [] });
    page.socket.close();
  });
});

import { describe, expect, it } from 'vitest';
import { BEHIND_CLOSE_CODE } from '../../electron/web/control-outbox';
import type { SessionText, SessionView } from '../../shared/session';
import { textIdsOf } from '../../shared/session-texts';
import { openControlPage, useWebServerEachTest, type ControlPage } from '../support/control-page';

/**
 * A tab that reads nothing (frozen, or its machine asleep) while the session changes: every
 * view is a snapshot (a long queue's makes it large), each text goes once, and the server
 * must not keep it all for the tab.
 */
const servers = useWebServerEachTest();

type Message = { id?: number; event?: string; payload?: unknown };
const views = (messages: Message[]): SessionView[] => messages.flatMap((message) => (message.event === 'session' ? [message.payload as SessionView] : []));
const openControl = (): Promise<ControlPage<Message>> => openControlPage<Message>(servers.web);

const MEGABYTE = 1_000_000;
/** 999 texts waiting: each view names them all, with a preview of each (about 230 KB a view). */
const QUEUE = Array.from({ length: 1000 }, (_, i) => `Waiting text ${i}. ${'A text in a long queue. '.repeat(12)}`);
/** Half a megabyte of text, different each time: each goes to the page once. */
const longText = (i: number): string => `Long text ${i}. ${'A long text that a frozen tab will not read. '.repeat(12_000)}`;

describe('utter web and a page that stops reading', () => {
  it("keeps only the latest view for it, not every one, and sends it (and every play ticket) once it reads again", async () => {
    const page = await openControl();
    page.socket.send(JSON.stringify({ id: 1, op: 'attachSink' }));
    await expect.poll(() => page.messages.some((message) => message.id === 1)).toBe(true);
    // The tab freezes: it reads nothing more.
    page.socket.pause();
    servers.web.session.speak(QUEUE);
    // 200 changes, each a view of about 230 KB: over 45 MB if all were kept.
    for (let i = 0; i < 200; i++) servers.web.session.setFormat(i % 2 ? 'mp3' : 'pcm');
    servers.web.session.setRate(1.75);
    await new Promise((resolve) => setTimeout(resolve, 300));
    page.socket.resume();
    await expect.poll(() => views(page.messages).some((view) => view.rate === 1.75), { timeout: 20_000 }).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 300));
    // What the socket held: what the kernel took before the tab froze (a few MB), the texts
    // once, one MB waiting in the server, and the latest view. Kept whole, it was over 45 MB.
    expect(page.bytes()).toBeLessThan(24 * MEGABYTE);
    // The play ticket is not a snapshot: it is never dropped.
    expect(page.messages.filter((message) => message.event === 'play')).toHaveLength(1);
    expect(views(page.messages).at(-1)?.rate).toBe(1.75);
    page.socket.close();
  }, 60_000);

  it('keeps a page that was behind when 30 MB of new texts came, and sends it each once it reads, ahead of the view that names it', async () => {
    const page = await openControl();
    page.socket.send(JSON.stringify({ id: 1, op: 'sessionView' }));
    await expect.poll(() => page.messages.some((message) => message.id === 1)).toBe(true);
    let closed = false;
    page.socket.once('close', () => (closed = true));
    // The tab falls behind as 60 new texts of half a megabyte come: more than the 16 MB that
    // may wait for a page. The views that name them replace each other while it reads nothing.
    page.socket.pause();
    const spoken = Array.from({ length: 60 }, (_, i) => longText(i));
    for (const text of spoken) servers.web.session.speak([text], { queue: true });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    page.socket.resume();
    const named = (view: SessionView | undefined) => (view ? textIdsOf(view).size : 0);
    await expect.poll(() => named(views(page.messages).at(-1)), { timeout: 20_000 }).toBe(spoken.length);
    expect(closed).toBe(false);
    // Each text once, and each view after the texts it names.
    const texts = page.messages.flatMap((message) => (message.event === 'texts' ? (message.payload as SessionText[]) : []));
    expect(texts.map((text) => text.text.length)).toEqual(spoken.map((text) => text.length));
    expect(new Set(texts.map((text) => text.text))).toEqual(new Set(spoken));
    page.messages.forEach((message, index) => {
      if (message.event !== 'session') return;
      const had = new Set(page.messages.slice(0, index).flatMap((before) => (before.event === 'texts' ? (before.payload as SessionText[]).map((text) => text.textId) : [])));
      for (const textId of textIdsOf(message.payload as SessionView)) expect(had).toContain(textId);
    });
    expect(page.bytes()).toBeLessThan(spoken.join('').length + 2 * MEGABYTE);
    page.socket.close();
  }, 60_000);

  it('closes a page that keeps asking while it reads nothing, with why, and serves the next one', async () => {
    const page = await openControl();
    servers.web.session.speak(QUEUE);
    page.socket.pause();
    // Replies are never replaced: 200 views asked for (about 46 MB), not read, are too many to keep.
    for (let i = 0; i < 200; i++) page.socket.send(JSON.stringify({ id: 10 + i, op: 'sessionView' }));
    const closed = new Promise<{ code: number; reason: string }>((resolve) => page.socket.once('close', (code, reason) => resolve({ code, reason: String(reason) })));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    page.socket.resume();
    const stillOpen = new Promise((resolve) => setTimeout(() => resolve('still open after 15 s'), 15_000));
    expect(await Promise.race([closed, stillOpen])).toEqual({ code: BEHIND_CLOSE_CODE, reason: expect.stringContaining('stopped reading') });
    // Of the 46 MB asked for, only what the kernel and the socket had taken reached it: the
    // replies that waited in the server went with the connection.
    expect(page.bytes()).toBeLessThan(20 * MEGABYTE);
    const next = await openControl();
    next.socket.send(JSON.stringify({ id: 1, op: 'sessionView' }));
    await expect.poll(() => next.messages.some((message) => message.id === 1)).toBe(true);
    next.socket.close();
  }, 60_000);
});

import { describe, expect, it } from 'vitest';
import { BEHIND_CLOSE_CODE } from '../../electron/web/control-outbox';
import { openControlPage, useWebServerEachTest, type ControlPage } from '../support/control-page';

/**
 * A tab that reads nothing (frozen, or its machine asleep) while the session changes: every
 * view is a snapshot (a long queue's makes it large), each text goes once, and the server
 * must not keep it all for the tab.
 */
const servers = useWebServerEachTest();

type Message = { id?: number; event?: string; payload?: { rate?: number; id?: number } };
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
    await expect.poll(() => page.messages.some((message) => message.event === 'session' && message.payload?.rate === 1.75), { timeout: 20_000 }).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 300));
    // What the socket held: what the kernel took before the tab froze (a few MB), the texts
    // once, one MB waiting in the server, and the latest view. Kept whole, it was over 45 MB.
    expect(page.bytes()).toBeLessThan(24 * MEGABYTE);
    // The play ticket is not a snapshot: it is never dropped.
    expect(page.messages.filter((message) => message.event === 'play')).toHaveLength(1);
    expect(page.messages.filter((message) => message.event === 'session').at(-1)?.payload?.rate).toBe(1.75);
    page.socket.close();
  }, 60_000);

  it('closes a page that keeps asking while it reads nothing, with why, and serves the next one', async () => {
    const page = await openControl();
    page.socket.pause();
    // Texts are never replaced: 60 new texts of half a megabyte, not read, are too many to keep.
    for (let i = 0; i < 60; i++) servers.web.session.speak([longText(i)], { queue: true });
    const closed = new Promise<{ code: number; reason: string }>((resolve) => page.socket.once('close', (code, reason) => resolve({ code, reason: String(reason) })));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    page.socket.resume();
    const stillOpen = new Promise((resolve) => setTimeout(() => resolve('still open after 15 s'), 15_000));
    expect(await Promise.race([closed, stillOpen])).toEqual({ code: BEHIND_CLOSE_CODE, reason: expect.stringContaining('stopped reading') });
    // Of the 30 MB asked for, only what the kernel and the socket had taken reached it: the
    // replies that waited in the server went with the connection.
    expect(page.bytes()).toBeLessThan(20 * MEGABYTE);
    const next = await openControl();
    next.socket.send(JSON.stringify({ id: 1, op: 'sessionView' }));
    await expect.poll(() => next.messages.some((message) => message.id === 1)).toBe(true);
    next.socket.close();
  }, 60_000);
});

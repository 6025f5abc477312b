import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SavedSession } from '../../electron/session/saved-session';

const TEXT = 'One. Two. Three. Four.';

function savedIn(): { file: string; saved: SavedSession; errors: string[] } {
  const file = join(mkdtempSync(join(tmpdir(), 'utter-saved-')), 'session.json');
  const errors: string[] = [];
  return { file, saved: new SavedSession(file, (message) => errors.push(message)), errors };
}

describe('SavedSession', () => {
  it('keeps the place heard in a file of its own, and believes it only for the texts saved with it', async () => {
    const { file, saved, errors } = savedIn();
    saved.save({ current: { text: TEXT, offset: 0 }, queued: ['Next.'] });
    saved.savePosition(5);
    await saved.flush();
    saved.savePosition(10);
    await saved.flush();
    expect(await new SavedSession(file).load()).toEqual({ current: { text: TEXT, offset: 10 }, queued: ['Next.'] });
    const position = join(file, '..', 'session.position.json');
    const older = readFileSync(position, 'utf8');
    // Another text saved: the place left from the one before does not move it.
    saved.save({ current: { text: 'Another text. With two sentences.', offset: 14 }, queued: [] });
    await saved.flush();
    writeFileSync(position, older);
    expect(await new SavedSession(file).load()).toEqual({ current: { text: 'Another text. With two sentences.', offset: 14 }, queued: [] });
    // A damaged place costs a sentence or two, not the texts.
    writeFileSync(position, '{"saveId":');
    expect(await new SavedSession(file).load()).toMatchObject({ current: { offset: 14 } });
    expect(errors).toEqual([]);
  });

  it('folds a place asked for while the texts wait to be written into them, and clears both files', async () => {
    const { file, saved } = savedIn();
    saved.save({ current: { text: TEXT, offset: 0 }, queued: [] });
    saved.save({ current: { text: TEXT, offset: 0 }, queued: ['Queued.'] });
    saved.savePosition(17);
    await saved.flush();
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ current: { offset: 17 }, queued: ['Queued.'] });
    expect(await new SavedSession(file).load()).toMatchObject({ current: { offset: 17 } });
    saved.clear();
    saved.savePosition(5);
    await saved.flush();
    expect(existsSync(file)).toBe(false);
    expect(existsSync(join(file, '..', 'session.position.json'))).toBe(false);
    expect(await new SavedSession(file).load()).toBeNull();
  });

  it('reads a file saved before places had a file of their own', async () => {
    const { file } = savedIn();
    writeFileSync(file, JSON.stringify({ current: { text: TEXT, offset: 5 }, queued: [] }));
    expect(await new SavedSession(file).load()).toEqual({ current: { text: TEXT, offset: 5 }, queued: [] });
  });
});

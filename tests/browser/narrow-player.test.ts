import { describe, expect, it } from 'vitest';
import { useWebRig } from '../support/utter-web';

/**
 * The player in a narrow window (a phone-sized tab, a window snapped to a side): the rate
 * shares the transport's row, or has one of its own without its divider, so the divider
 * never starts a line; and nothing makes the page scroll sideways.
 */
const web = useWebRig();

interface Layout {
  /** The transport's rows, by the middles of its parts. */
  rows: number;
  /** On two rows: the rate alone on the second. */
  rateAlone: boolean;
  /** The rate's divider, as drawn. */
  divider: string;
  /** Every part of the transport within the transport's box. */
  inside: boolean;
  overflows: boolean;
}

/** As a string: these tests are type-checked without the DOM. */
const layout = () =>
  web.page.evaluate(`(() => {
    const middle = (e) => { const r = e.getBoundingClientRect(); return Math.round(r.top + r.height / 2); };
    const transport = document.querySelector('.transport').getBoundingClientRect();
    const rate = document.querySelector('.rate');
    const others = [...document.querySelectorAll('.transport > :not(.rate)')];
    return {
      rows: new Set([...document.querySelectorAll('.transport > *')].map(middle)).size,
      rateAlone: others.every((e) => middle(e) < middle(rate) && e.getBoundingClientRect().bottom <= rate.getBoundingClientRect().top),
      divider: getComputedStyle(rate).borderInlineStartWidth,
      inside: [...document.querySelectorAll('.transport > *, .rate > *')].every((e) => { const r = e.getBoundingClientRect(); return r.left >= transport.left - 0.5 && r.right <= transport.right + 0.5; }),
      overflows: document.documentElement.scrollWidth > document.documentElement.clientWidth,
    };
  })()`) as Promise<Layout>;

/** What a layout must be: one row with the divider, or the rate alone below without it. */
function expectHeld(shown: Layout, width: number): void {
  const one = { rows: 1, divider: '1px', inside: true, overflows: false };
  const two = { rows: 2, rateAlone: true, divider: '0px', inside: true, overflows: false };
  expect(shown, `at ${width} px`).toMatchObject(shown.rows === 1 ? one : two);
}

describe('the player in a narrow window', () => {
  it('holds its transport at 360 px and at every width from 320 px up, at the narrowest rate and the widest', async () => {
    const size = web.page.viewportSize()!;
    try {
      for (const rate of ['1×', '2.75×']) {
        if (rate === '2.75×') for (let i = 0; i < 7; i++) await web.page.getByTestId('rate-faster').click();
        await expect.poll(() => web.page.getByTestId('rate').textContent()).toBe(rate);
        for (let width = 320; width <= 560; width += 8) {
          await web.page.setViewportSize({ width, height: 700 });
          expectHeld(await layout(), width);
        }
        await web.page.setViewportSize({ width: 360, height: 700 });
        expect(await layout()).toEqual({ rows: 2, rateAlone: true, divider: '0px', inside: true, overflows: false });
      }
      // Wide, one row as before.
      await web.page.setViewportSize({ width: 1024, height: 700 });
      expect(await layout()).toMatchObject({ rows: 1, divider: '1px', overflows: false });
    } finally {
      await web.page.getByTestId('rate').click();
      await web.page.setViewportSize(size);
    }
  }, 60_000);
});

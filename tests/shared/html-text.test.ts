// An HTML file is read as the page reads, not as its markup.
import { describe, expect, it } from 'vitest';
import { htmlText, isHtmlName } from '../../shared/html-text';
import { textToSpeak } from '../../shared/text-file';

describe('htmlText', () => {
  it("keeps a page's text: no head, script, style or comment, tags gone, a block's end a line break", () => {
    const page =
      '<!DOCTYPE html><html><head><title>T</title><style>body{}</style><script>var x=1;</script></head>' +
      '<body><h1>Hello</h1><!-- not read --><p>Hello <b>web</b>\n   page.</p><ul><li>One</li><li>Two</li></ul>' +
      '<script type="module">alert("no")</script><p>End</p></body></html>';
    expect(htmlText(page)).toBe('Hello\nHello web page.\nOne\nTwo\nEnd');
  });

  it('decodes entities, numeric and named, and leaves one it does not know', () => {
    expect(htmlText('<p>Caf&eacute; &amp; cr&Egrave;me &lt;b&gt; &#8212; &#x263a; &nbsp;&hellip; &bogus; &#0;</p>')).toBe('Café & crÈme <b> — ☺ \u00a0… &bogus; \ufffd');
  });

  it('reads a broken page in time linear in its length', () => {
    const started = performance.now();
    for (const broken of ['<a'.repeat(500_000), '<script'.repeat(200_000), '<!--'.repeat(300_000), `<p title="${'x'.repeat(1_000_000)}`]) htmlText(broken);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('applies to .html and .htm files, by name, and to no other', async () => {
    expect(['a.html', 'B.HTM', 'c.xhtml'].every(isHtmlName)).toBe(true);
    expect(['a.txt', 'a.md', 'html', 'a.html.txt'].some(isHtmlName)).toBe(false);
    const bytes = new TextEncoder().encode('<p>Hello <i>there</i> &amp; welcome.</p>');
    expect(await textToSpeak('page.html', bytes.length, async () => bytes)).toEqual({ text: 'Hello there & welcome.' });
    expect(await textToSpeak('page.txt', bytes.length, async () => bytes)).toEqual({ text: '<p>Hello <i>there</i> &amp; welcome.</p>' });
    const empty = new TextEncoder().encode('<html><head><script>x()</script></head><body></body></html>');
    expect(await textToSpeak('empty.htm', empty.length, async () => empty)).toEqual({ refused: 'empty.htm is empty.' });
  });
});

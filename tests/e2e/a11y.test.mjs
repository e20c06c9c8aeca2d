// Accessibility: axe-core finds no serious or critical violation on any page of the site —
// the landing page, every lesson listed in www/lessons/index.json, and the embed demo.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { a11yViolations, launch, ROOT, serve } from './harness.mjs';

const pages = [{ path: '', ready: '#capabilities[data-state="ready"]' }];
const index = join(ROOT, 'www/lessons/index.json');
if (existsSync(index)) {
  for (const l of JSON.parse(readFileSync(index, 'utf8'))) {
    pages.push({ path: `www/lesson.html?id=${l.id}`, ready: '#lesson[data-state="ready"]' });
  }
}
if (existsSync(join(ROOT, 'www/embed.html'))) pages.push({ path: 'www/embed.html', ready: 'nn-widget[data-mounted], [data-mounted]' });

describe('accessibility (axe-core: no serious or critical violations)', () => {
  let server, browser;
  before(async () => { server = await serve(); browser = await launch(); });
  after(async () => { await browser?.close(); server?.stop(); });

  for (const p of pages) {
    test(`/${p.path}`, async () => {
      const page = await browser.newPage();
      await page.goto(server.url + p.path);
      await page.waitForSelector(p.ready, { state: 'attached', timeout: 60000 });
      // Folded parts (the landing page's "This browser") are checked open too.
      await page.$$eval('details', (ds) => ds.forEach((d) => { d.open = true; }));
      assert.deepEqual(await a11yViolations(page), []);
      await page.close();
    });
  }
});

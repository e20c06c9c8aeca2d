// Lesson pages with runnable cells (www/lesson.html?id=tour): run, edit, persist, reset,
// share and stop, as a reader does it. Served with COOP/COEP (Stop through a shared flag) and
// without (Stop restarts the worker).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { cellText, fillCell, launch, screenshot, serve } from './harness.mjs';

const cell = (i) => `.nb-cell[data-index="${i}"]`;
const FINISHED = ['done', 'error', 'stopped'];

async function openTour(page, url, hash = '') {
  await page.goto(`${url}www/lesson.html?id=tour${hash}`);
  await page.waitForSelector('#lesson[data-state="ready"]', { timeout: 30000 });
  await page.waitForSelector('#nb-kernel[data-state="ready"]', { timeout: 30000 });
}

async function waitFinished(page, i, timeout = 30000) {
  await page.waitForFunction(([sel, states]) => states.includes(document.querySelector(sel)?.dataset.state),
    [cell(i), FINISHED], { timeout });
  return page.getAttribute(cell(i), 'data-state');
}

const outputText = (page, i) => page.textContent(`${cell(i)} .nb-output`);

describe('lesson page (cross-origin isolated)', () => {
  let server, browser;
  before(async () => { server = await serve({ isolation: true }); browser = await launch(); });
  after(async () => { await browser?.close(); server?.stop(); });

  test('renders prose safely and runs cells in one kernel', async () => {
    const page = await browser.newPage();
    await openTour(page, server.url);
    assert.equal(await page.textContent('h1'), 'A tour of nnbook cells');
    assert.ok(await page.locator('.nb-prose code', { hasText: 'Shift+Enter' }).count() >= 1);
    assert.equal(await page.locator('.nb-cell').count(), 4);

    await page.click(`${cell(0)} .nb-run`);
    assert.equal(await waitFinished(page, 0), 'done');
    assert.match(await outputText(page, 0), /tensor\(\[\[1\., 1\., 1\.\],/);

    // Type into cell 1 and run it with Shift+Enter: state carries over from cell 0 (torch).
    const area = page.locator(`${cell(1)} .cm-content`);
    await area.fill('');
    await area.pressSequentially('imgs = torch.ones(64, 3, 32, 32)\noutput = torch.reshape(imgs, (1, 1, 1, -1))\nprint(output.shape)');
    await area.press('Shift+Enter');
    assert.equal(await waitFinished(page, 1), 'done');
    assert.equal((await page.textContent(`${cell(1)} .nb-stdout`)).trim(), 'torch.Size([1, 1, 1, 196608])');
    assert.equal(await page.isVisible(`${cell(1)} .nb-edited`), true);
    assert.deepEqual(page.consoleErrors, []);
  });

  test('the landing page lists the lessons from index.json and links to them', async () => {
    const page = await browser.newPage();
    await page.goto(server.url);
    await page.waitForSelector('#lessons-list[data-state="ready"]');
    const link = page.locator('#lessons-list a', { hasText: 'A tour of nnbook cells' });
    assert.equal(await link.count(), 1);
    await link.click();
    await page.waitForSelector('#lesson[data-state="ready"]');
    assert.equal(await page.title(), 'nnbook — A tour of nnbook cells');
    assert.deepEqual(page.consoleErrors, []);
  });

  test('lesson Markdown cannot inject markup or scripts', async () => {
    const page = await browser.newPage();
    await openTour(page, server.url);
    const found = await page.evaluate(async () => {
      const { renderMarkdown } = await import('./notebook/markdown.js');
      const { parseLesson } = await import('./notebook/document.js');
      const text = '# T <img src=x onerror="window.pwned=1">\n\nSee <script>window.pwned=1</script> **b** *i* `<b>`\n\n'
        + '<div onclick="window.pwned=1">an HTML block</div>\n\n'
        + '- [bad](javascript:alert(1)) and [ok](lesson.html?id=tour)\n- [data](data:text/html,x)\n\n> quote';
      const host = document.createElement('div');
      host.append(...renderMarkdown(text));
      const blocks = parseLesson('intro\n```python\nx = 1\n```\n```widget demo\n{"a": 1}\n```\n');
      return {
        tags: [...host.querySelectorAll('*')].map((n) => n.tagName.toLowerCase()).sort().join(' '),
        hrefs: [...host.querySelectorAll('a')].map((a) => a.getAttribute('href')),
        text: host.textContent,
        pwned: window.pwned === 1,
        blocks: blocks.map((b) => b.type + (b.code !== undefined ? `:${b.code}` : '') + (b.name ? `:${b.name}:${JSON.stringify(b.options)}` : '')),
      };
    });
    assert.equal(found.tags, 'a blockquote code em h1 li li p p p strong ul');
    assert.deepEqual(found.hrefs, ['lesson.html?id=tour']);
    assert.match(found.text, /<script>window\.pwned=1<\/script>/);
    assert.match(found.text, /<div onclick="window\.pwned=1">an HTML block<\/div>/);
    assert.equal(found.pwned, false);
    assert.deepEqual(found.blocks, ['prose', 'python:x = 1', 'widget:demo:{"a":1}']);
    assert.deepEqual(page.consoleErrors, []);
  });

  test('cell pictures are crisp up-scaled canvases with a caption', async () => {
    const page = await browser.newPage();
    await openTour(page, server.url);
    const got = await page.evaluate(async () => {
      const { renderOutput } = await import('./notebook/output.js');
      const host = document.createElement('div');
      document.body.append(host);
      const rgba = new Uint8Array([255, 0, 0, 255, 0, 0, 255, 255]);
      renderOutput(host, { stdout: 'hi\n', error: { kind: 'ValueError', message: 'bad', line: 3 }, images: [{ width: 2, height: 1, rgba, caption: 'torch.Size([3, 1, 2])' }] });
      const canvas = host.querySelector('canvas');
      const px = [...canvas.getContext('2d').getImageData(0, 0, 2, 1).data];
      return {
        px, width: canvas.style.width, rendering: getComputedStyle(canvas).imageRendering,
        caption: host.querySelector('figcaption').textContent, text: host.textContent,
      };
    });
    assert.deepEqual(got.px, [255, 0, 0, 255, 0, 0, 255, 255]);
    assert.equal(got.width, '192px');
    assert.equal(got.rendering, 'pixelated');
    assert.equal(got.caption, 'torch.Size([3, 1, 2])');
    assert.equal(got.text, 'hi\ntorch.Size([3, 1, 2])ValueError: bad (line 3)');
  });

  test('Run all shows print(net) and PyTorch\'s shape error with its kind and line', async () => {
    const page = await browser.newPage();
    await openTour(page, server.url);
    await page.click(`${cell(1)} .nb-reset`);
    await page.click('#nb-run-all');
    for (const i of [0, 1, 2]) assert.equal(await waitFinished(page, i), 'done', `cell ${i}`);
    assert.equal(await waitFinished(page, 3), 'error');
    assert.match(await outputText(page, 1), /torch\.Size\(\[64, 3072\]\)/);
    const net = await outputText(page, 2);
    assert.match(net, /^Sequential\(\n {2}\(0\): Conv2d\(3, 32, kernel_size=\(5, 5\), stride=\(1, 1\), padding=\(2, 2\)\)/);
    assert.match(net, /\(8\): Linear\(in_features=64, out_features=10, bias=True\)\n\)/);
    assert.match(net, /torch\.Size\(\[64, 10\]\)/);
    assert.equal(await page.textContent(`${cell(3)} .nb-error-kind`), 'RuntimeError');
    assert.match(await page.textContent(`${cell(3)} .nb-error`),
      /^RuntimeError: .*mat1 and mat2 shapes cannot be multiplied \(64x3072 and 196608x10\) \(line 2\)$/);
    await screenshot(page, 'notebook-tour');
    assert.deepEqual(page.consoleErrors, []);
  });

  test('edits persist across reloads; Reset restores the lesson text', async () => {
    const page = await browser.newPage();
    await openTour(page, server.url);
    const original = await cellText(page, 2);
    await fillCell(page, 2, 'print("edited cell")');
    await page.waitForSelector('#lesson[data-saved]');
    await page.reload();
    await page.waitForSelector('#lesson[data-state="ready"]');
    assert.equal(await cellText(page, 2), 'print("edited cell")');
    assert.equal(await page.isVisible(`${cell(2)} .nb-edited`), true);
    assert.equal(await page.isVisible(`${cell(1)} .nb-edited`), false);

    await page.click(`${cell(2)} .nb-reset`);
    assert.equal(await cellText(page, 2), original);
    assert.equal(await page.isVisible(`${cell(2)} .nb-edited`), false);
    await page.waitForFunction(() => document.querySelector('#lesson').dataset.saved);
    await page.waitForTimeout(600); // the debounced save of the reset
    await page.reload();
    await page.waitForSelector('#lesson[data-state="ready"]');
    assert.equal(await cellText(page, 2), original);
    assert.deepEqual(page.consoleErrors, []);
  });

  test('a share link restores the edited cells in a fresh browser', async () => {
    const page = await browser.newPage();
    await openTour(page, server.url);
    const shared = 'x = torch.arange(6)\nprint(x.reshape(2, 3))';
    await fillCell(page, 1, shared);
    await page.click('#nb-share');
    await page.waitForFunction(() => document.querySelector('#nb-share-url').value.includes('#cells='));
    const link = await page.inputValue('#nb-share-url');
    assert.match(link, /lesson\.html\?id=tour#cells=[A-Za-z0-9_-]+$/);
    await page.click(`${cell(1)} .nb-reset`); // leave this profile's saved copy clean

    const fresh = await launch();
    try {
      const other = await fresh.newPage();
      await other.goto(link);
      await other.waitForSelector('#lesson[data-state="ready"]');
      assert.equal(await cellText(other, 1), shared);
      assert.equal(await other.isVisible(`${cell(1)} .nb-edited`), true);
      assert.match(await other.textContent('#nb-notice'), /shared link/);
      assert.deepEqual(other.consoleErrors, []);
    } finally {
      await fresh.close();
    }
  });

  test('Stop ends an endless loop and the page stays responsive', async (t) => {
    const page = await browser.newPage();
    await openTour(page, server.url);
    await fillCell(page, 3, 'while True:\n    pass');
    await page.click(`${cell(3)} .nb-run`);
    await page.waitForSelector(`${cell(3)}[data-state="running"]`);
    await page.click(`${cell(3)} .nb-stop`);
    const state = await waitFinished(page, 3, 20000);
    const text = await outputText(page, 3);
    t.diagnostic(`Stop gave ${state}: ${text}`);
    assert.match(text, /KeyboardInterrupt|step budget|kernel was restarted/, `${state}: ${text}`);
    await page.click(`${cell(0)} .nb-run`);
    assert.equal(await waitFinished(page, 0), 'done');
    assert.deepEqual(page.consoleErrors, []);
  });
});

describe('lesson page without COOP/COEP', () => {
  let server, browser;
  before(async () => { server = await serve({ isolation: false }); browser = await launch(); });
  after(async () => { await browser?.close(); server?.stop(); });

  test('Stop restarts the worker and says that variables were lost', async (t) => {
    const page = await browser.newPage();
    await openTour(page, server.url);
    await page.click(`${cell(0)} .nb-run`);
    assert.equal(await waitFinished(page, 0), 'done');
    await fillCell(page, 3, 'i = 0\nwhile True:\n    i += 1\n    i -= 1');
    await page.click(`${cell(3)} .nb-run`);
    await page.waitForSelector(`${cell(3)}[data-state="running"]`);
    await page.click(`${cell(3)} .nb-stop`);
    const state = await waitFinished(page, 3, 20000);
    const text = await outputText(page, 3);
    t.diagnostic(`Stop gave ${state}: ${text}`);
    if (state === 'stopped') {
      assert.match(text, /kernel was restarted/);
      assert.match(await page.textContent('#nb-notice'), /restarted/);
      await page.waitForSelector('#nb-kernel[data-state="ready"]', { timeout: 30000 });
      // torch was imported in the old kernel: the new one does not know it.
      await page.click(`${cell(1)} .nb-run`);
      assert.equal(await waitFinished(page, 1), 'error');
      assert.match(await page.textContent(`${cell(1)} .nb-error`), /^NameError: name 'torch' is not defined/);
    } else {
      assert.match(text, /step budget/); // the loop ended by itself before Stop was clicked
    }
    assert.deepEqual(page.consoleErrors, []);
  });
});

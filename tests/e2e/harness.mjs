// Shared end-to-end helpers: serve a folder with or without COOP/COEP on a free port, and
// drive Debian's Chromium with playwright-core (never a downloaded browser).
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

export const ROOT = resolve(new URL('../..', import.meta.url).pathname);
export const ARTIFACTS = join(ROOT, 'test-artifacts');

async function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
    s.on('error', rej);
  });
}

/** Starts scripts/serve.py on `root`; resolves to {url, stop()} once it listens. */
export async function serve({ root = ROOT, isolation = true, csp = false } = {}) {
  const port = await freePort();
  const args = ['scripts/serve.py', '--root', root, '--port', String(port), '--quiet'];
  if (!isolation) args.push('--no-isolation');
  if (csp) args.push('--csp');
  const child = spawn('python3', args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error('server did not start within 10 s')), 10000);
    child.stdout.on('data', (d) => { if (String(d).includes('serving')) { clearTimeout(timer); res(); } });
    child.on('exit', (code) => { clearTimeout(timer); rej(new Error(`server exited with ${code}`)); });
  });
  return { url: `http://127.0.0.1:${port}/`, stop: () => child.kill() };
}

/** Launches headless Chromium in a fresh profile; collects console errors and page errors per
 *  page. `options` go to the browser context (e.g. `{deviceScaleFactor: 2}` for a high-DPI
 *  screen). */
export async function launch(options = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'nnbook-e2e-'));
  const context = await chromium.launchPersistentContext(dir, {
    ...options,
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    context,
    async newPage() {
      const page = await context.newPage();
      page.consoleErrors = [];
      page.on('console', (m) => { if (m.type() === 'error') page.consoleErrors.push(m.text()); });
      page.on('pageerror', (e) => page.consoleErrors.push(String(e)));
      return page;
    },
    async close() {
      await context.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function screenshot(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  // Scroll through the page as a reader would, so that lazily measured parts (the cells'
  // editors measure their lines when they come into view) are drawn as a reader sees them.
  await page.evaluate(async () => {
    const frame = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    for (let y = 0; y < document.documentElement.scrollHeight; y += innerHeight / 2) {
      scrollTo(0, y);
      await frame();
    }
    scrollTo(0, 0);
    await frame();
  });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** The page's self-test checksum, computed independently: sum of C = A·B for the inputs of
 * src/wasm/bench.rs `self_test_inputs` (a[i] = i%7-3, b[i] = i%5-2, row-major n×n). */
export function expectedChecksum(n) {
  let total = 0;
  for (let p = 0; p < n; p++) {
    let colA = 0;
    let rowB = 0;
    for (let i = 0; i < n; i++) colA += ((i * n + p) % 7) - 3;
    for (let j = 0; j < n; j++) rowB += ((p * n + j) % 5) - 2;
    total += colA * rowB;
  }
  return total;
}

/** Runs axe-core (npm dev-dependency) on the page and returns its serious and critical
 * violations as short strings (`id: target…`), [] when there are none. Injected through the
 * DevTools protocol, so it works under the site's CSP. Shadow DOM is included. */
export async function a11yViolations(page) {
  const { readFileSync } = await import('node:fs');
  const source = readFileSync(join(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8');
  await page.evaluate(source);
  const violations = await page.evaluate(async () => {
    const r = await globalThis.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')) }));
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).join(', ')}`);
}

/** Replaces the code of lesson cell `index` as a reader would (select all in its editor, type). */
export async function fillCell(page, index, text) {
  await page.locator(`.nb-cell[data-index="${index}"] .cm-content`).click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Backspace');
  await page.keyboard.insertText(text);
}

/** The code lesson cell `index` shows now. */
export function cellText(page, index) {
  return page.$eval(`.nb-cell[data-index="${index}"]`, (c) => c.nbText());
}

/** Opens the landing page's folded "This browser" panel as a reader does (a click on its
 *  summary) once the capability check is done. */
export async function openBrowserPanel(page) {
  await page.waitForSelector('#capabilities[data-state="ready"]', { state: 'attached', timeout: 60000 });
  if (!(await page.$eval('#this-browser', (d) => d.open))) await page.click('#this-browser > summary');
  await page.waitForSelector('#capabilities[data-state="ready"]', { timeout: 30000 });
}

/** Runs `fn(page)` in a browser with a profile of its own (a new user-data directory: no
 *  storage, cache or service worker from any other test), closed afterwards. */
export async function inFreshProfile(fn) {
  const browser = await launch();
  try {
    return await fn(await browser.newPage());
  } finally {
    await browser.close();
  }
}

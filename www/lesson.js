// The lesson page: lesson.html?id=<id> renders www/lessons/<id>.md with runnable cells that
// share one Python kernel; edits and the cells' last outputs are kept in the browser
// (www/storage/) and edits can be shared as a link.
import { getClient } from './client.js';
import { showError } from './widgets/common.js';
import { lessonTitle, parseLesson } from './notebook/document.js';
import { KernelSession } from './notebook/kernel.js';
import { renderLesson } from './notebook/render.js';
import { decodeCells, encodeCells } from './notebook/share.js';
import { clearOutputs, debouncedSaver, loadEdits, loadOutputs, onStorageNotice, outputSaver } from './storage/index.js';
import { registerOffline } from './offline.js';

registerOffline();

const $ = (id) => document.getElementById(id);
const article = $('lesson');
const kernelStatus = $('nb-kernel');
const notice = $('nb-notice');
const id = new URLSearchParams(location.search).get('id') || '';

function setKernel(state, text) {
  kernelStatus.dataset.state = state;
  kernelStatus.textContent = text;
}

function showNotice(text) {
  notice.textContent = text;
  notice.hidden = !text;
}

async function fetchLesson() {
  if (!/^[a-z0-9-]+$/.test(id)) throw new Error(`lesson: bad or missing id '${id}' (use lesson.html?id=<lesson>)`);
  const r = await fetch(new URL(`lessons/${id}.md`, location.href));
  if (!r.ok) throw new Error(`lesson: no lesson named '${id}' (HTTP ${r.status})`);
  return r.text();
}

async function sharedCells() {
  try {
    return await decodeCells(location.hash);
  } catch (e) {
    showNotice(`This link's cells could not be read (${e.message}); showing the lesson instead.`);
    return null;
  }
}

function wireToolbar(cells, kernel, save) {
  // Runs the cells in order, as Jupyter's "Run all" does, past the cells whose error is the
  // lesson (```python error); any other cell that does not finish cleanly stops it, and the
  // toolbar says where and how many cells did not run.
  const runAll = $('nb-run-all');
  const runAllStatus = $('nb-runall-status');
  runAll.addEventListener('click', async () => {
    runAll.disabled = true;
    runAllStatus.hidden = true;
    article.dataset.runAll = 'running';
    try {
      for (const [k, c] of cells.entries()) {
        await c.run();
        const state = c.root.dataset.state;
        if (state === 'done' || (state === 'error' && c.expectsError)) continue;
        const left = cells.length - k - 1;
        runAllStatus.textContent = `Run all stopped at cell ${k + 1}` + (left ? ` — ${left} cell${left === 1 ? '' : 's'} not run` : '');
        runAllStatus.hidden = false;
        article.dataset.runAll = 'stopped';
        c.root.scrollIntoView({ block: 'nearest' });
        return;
      }
      article.dataset.runAll = 'done';
    } finally {
      runAll.disabled = false;
    }
  });
  $('nb-stop').addEventListener('click', () => kernel.stop());
  $('nb-reset-lesson').addEventListener('click', async () => {
    for (const c of cells) { c.setText(c.original); c.clearOutput(); }
    runAllStatus.hidden = true;
    history.replaceState(null, '', location.pathname + location.search);
    save();
    await save.flush();
    await clearOutputs(id).catch((e) => showNotice(`The saved outputs could not be cleared (${e.message}).`));
    await kernel.reset();
    showNotice('Lesson reset: the original cells are back and the kernel has no variables.');
  });
  $('nb-share').addEventListener('click', async () => {
    $('nb-share-url').value = '';
    const edits = {};
    for (const c of cells) if (c.edited()) edits[c.index] = c.text();
    const url = new URL(location.href);
    url.hash = Object.keys(edits).length ? await encodeCells(edits) : '';
    const box = $('nb-share-box');
    const input = $('nb-share-url');
    input.value = url.href;
    box.hidden = false;
    input.focus();
    input.select();
    navigator.clipboard?.writeText(url.href).catch(() => {});
  });
  for (const b of ['nb-run-all', 'nb-reset-lesson', 'nb-share']) $(b).disabled = false;
}

// What could not be read from the browser's storage is said once; the lesson still shows.
const unreadable = (what) => (e) => {
  showNotice(`Your saved ${what} could not be read (${e.message}).`);
  return {};
};

async function main() {
  onStorageNotice(({ kind, message }) => showNotice(kind === 'ready' ? 'The browser\'s storage is available again: your work is saved.' : `${message}.`));
  const [text, shared, saved, outputs] = await Promise.all([fetchLesson(), sharedCells(),
    loadEdits(id).catch(unreadable('edits')), loadOutputs(id).catch(unreadable('outputs'))]);
  const blocks = parseLesson(text);
  const title = lessonTitle(blocks) || id;
  document.title = `nnbook — ${title}`;
  const texts = {};
  for (const b of blocks) {
    if (b.type !== 'python') continue;
    const mine = saved[b.index];
    if (shared) texts[b.index] = shared[b.index] ?? b.code;
    else if (mine && mine.orig === b.code) texts[b.index] = mine.text;
  }
  if (shared) showNotice('Showing the cells from a shared link. Your own saved edits are kept until you edit a cell here.');

  const client = getClient();
  const kernel = new KernelSession(client, {
    onRestart: (reason) => {
      setKernel('restarted', 'Kernel restarted: variables were lost');
      showNotice(`The Python kernel was restarted (${reason}); variables from earlier cells are lost.`);
      kernel.start().then(() => setKernel('ready', 'Kernel restarted: variables were lost, run the cells again'));
    },
    onBusy: (busy) => { $('nb-stop').disabled = !busy; kernelStatus.dataset.busy = String(busy); },
  });
  let cells = [];
  const save = debouncedSaver(id, () => {
    const edits = {};
    for (const c of cells) if (c.edited()) edits[c.index] = { orig: c.original, text: c.text() };
    return edits;
  }, {
    onSaved: () => { article.dataset.saved = String(Date.now()); },
    onError: (e) => showNotice(`Your edits could not be saved in this browser (${e.message}).`),
  });
  // A shared link's cells become this browser's saved copy once the reader edits one; the
  // hash is dropped then so that a reload shows the saved copy.
  const onEdit = () => {
    if (location.hash) history.replaceState(null, '', location.pathname + location.search);
    save();
  };
  // Shift+Enter moves to the next cell, as in Jupyter.
  const onRunNext = (cell) => cells[cells.indexOf(cell) + 1]?.focus();
  const saveOutputs = outputSaver(id, () => {
    const out = {};
    for (const c of cells) { const o = c.lastOutput(); if (o) out[c.index] = { ...o, orig: c.original }; }
    return out;
  }, {
    onSaved: () => { article.dataset.outputsSaved = String(Date.now()); },
    onError: (e) => showNotice(`The cells' outputs could not be saved in this browser (${e.message}).`),
  });
  cells = renderLesson(article, blocks, texts, { kernel, client, onEdit, onRunNext, onOutput: () => saveOutputs() });
  for (const c of cells) {
    const o = outputs[c.index];
    if (o && o.orig === c.original && !shared) c.showOutput(o);
  }
  article.dataset.state = 'ready';
  article.removeAttribute('aria-busy');
  wireToolbar(cells, kernel, save);
  window.addEventListener('pagehide', () => { save.flush(); saveOutputs.flush(); });

  kernel.start().then(
    () => setKernel('ready', 'Python kernel ready'),
    (e) => setKernel('error', `The kernel could not start: ${e.message}`),
  );
}

main().catch((e) => {
  showError(article, e);
  article.dataset.state = 'error';
  article.removeAttribute('aria-busy');
});

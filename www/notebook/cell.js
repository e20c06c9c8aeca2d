// One runnable code cell, as in Jupyter: an execution count `[n]`, the code editor
// (notebook/editor.js: Shift+Enter runs and moves to the next cell, Ctrl/Cmd+Enter runs in
// place, Tab indents, Esc then Tab leaves), Run / Stop / Reset buttons, an "edited" marker and
// the output area (a traceback marks its line in the editor).
// State for tests and styles: data-state = idle | queued | running | done | error | stopped;
// data-expects-error when the lesson marks the cell's error as the point (```python error).
import { el } from '../widgets/common.js';
import { createEditor } from './editor.js';
import { renderNote, renderOutput } from './output.js';

const KEYS_HINT = 'Shift+Enter runs and moves on · Ctrl+Enter runs here · Tab indents · Esc, then Tab, leaves the cell';

/** A cell for `original` (the lesson's text) showing `text`. `ctx`: {kernel (KernelSession),
 *  onEdit(cell), onRunNext(cell)?, onResult(cell)?}; `opts.expectsError`: the lesson marks this
 *  cell's error. Returns {root, index, run(), reset(), text(), setText(), original, edited(),
 *  focus(), lastResult, restore(result)}. */
export function createCell(index, original, text, ctx, { expectsError = false } = {}) {
  const label = `Code cell ${index + 1}`;
  const count = el('span', { class: 'nb-count', title: 'Execution count' }, '[ ]');
  const runBtn = el('button', { type: 'button', class: 'nb-run', title: 'Run (Ctrl+Enter; Shift+Enter runs and moves to the next cell)' }, 'Run');
  const stopBtn = el('button', { type: 'button', class: 'nb-stop', hidden: true }, 'Stop');
  const resetBtn = el('button', { type: 'button', class: 'nb-reset', title: 'Restore the lesson\'s text of this cell' }, 'Reset');
  const edited = el('span', { class: 'nb-edited' }, 'edited');
  const marked = expectsError ? el('span', { class: 'nb-expected', title: 'Run all goes past this cell' }, 'this cell\'s error is the lesson') : null;
  const status = el('span', { class: 'nb-status', 'aria-live': 'polite' });
  const hint = el('p', { class: 'nb-keys' }, KEYS_HINT);
  const output = el('div', { class: 'nb-output', 'aria-live': 'polite', 'aria-label': `Output of ${label}` });

  const cell = { index, original, output, expectsError, lastResult: null };
  const editor = createEditor(text, {
    label,
    onChange: () => {
      markEdited();
      ctx.onEdit(cell);
    },
    onRun: () => cell.run(),
    onRunNext: () => {
      cell.run();
      if (ctx.onRunNext) ctx.onRunNext(cell);
    },
  });
  const root = el('section', { class: 'nb-cell', 'aria-label': label, dataset: { index: String(index), state: 'idle' } },
    el('div', { class: 'nb-cell-bar' }, count, runBtn, stopBtn, resetBtn, edited, marked, status), editor.dom, hint, output);
  if (expectsError) root.dataset.expectsError = 'true';
  Object.assign(cell, { root, text: editor.text, focus: editor.focus, edited: () => editor.text() !== original });
  // For tests and tools: the cell's text as a reader sees it.
  root.nbText = editor.text;

  const setState = (state, note = '') => {
    root.dataset.state = state;
    status.textContent = note;
    const active = state === 'queued' || state === 'running';
    runBtn.disabled = active;
    stopBtn.hidden = !active;
    if (active) count.textContent = '[*]';
  };
  const markEdited = () => { edited.hidden = !cell.edited(); };
  const show = (out) => {
    cell.lastResult = out;
    renderOutput(output, out);
    count.textContent = out.executionCount ? `[${out.executionCount}]` : '[ ]';
    // The traceback's frame in this very code: the last frame of the newest cell run.
    const here = out.error?.traceback?.filter((f) => f.cell === out.executionCount && !f.function).pop();
    editor.markLine(out.error ? (here?.line ?? out.error.line) : null);
    setState(out.error ? 'error' : 'done');
  };

  cell.run = async () => {
    if (root.dataset.state === 'queued' || root.dataset.state === 'running') return;
    setState('queued', 'queued…');
    try {
      show(await ctx.kernel.run(editor.text(), { onStart: () => setState('running', 'running…') }));
      if (ctx.onResult) ctx.onResult(cell);
    } catch (e) {
      count.textContent = '[ ]';
      if (e.kind === 'Cancelled') return setState('idle');
      output.replaceChildren();
      if (e.kind === 'KernelRestarted') renderNote(output, `Stopped. The kernel was restarted (${e.detail}); variables from earlier cells are lost, run them again.`, 'warn');
      else renderNote(output, e.message, 'warn');
      setState('stopped');
    }
  };
  /** Shows a result saved earlier (e.g. before a reload) without running anything. */
  cell.restore = (out) => {
    show(out);
    status.textContent = 'from the last session';
  };
  cell.clear = () => {
    cell.lastResult = null;
    output.replaceChildren();
    count.textContent = '[ ]';
    editor.markLine(null);
    setState('idle');
  };
  cell.setText = (value) => {
    editor.setText(value);
    markEdited();
  };
  cell.reset = () => {
    cell.setText(original);
    ctx.onEdit(cell);
  };

  runBtn.addEventListener('click', () => cell.run());
  stopBtn.addEventListener('click', () => ctx.kernel.stop());
  resetBtn.addEventListener('click', () => cell.reset());
  markEdited();
  return cell;
}

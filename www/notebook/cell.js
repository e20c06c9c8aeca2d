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
 *  onEdit(cell), onRunNext(cell)?, onOutput(cell)? (after a run changed the output)};
 *  `opts.expectsError`: the lesson marks this cell's error. Returns {root, index, run(),
 *  reset(), text(), setText(), original, edited(), focus(), lastOutput(), showOutput(saved),
 *  clearOutput()}. */
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

  const cell = { index, original, output, expectsError };
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
  // The last output, as the page saves it: {count, stdout, error, images} (null: none).
  let last = null;
  const outputChanged = (value) => {
    last = value;
    delete root.dataset.restored;
    if (ctx.onOutput) ctx.onOutput(cell);
  };
  const showCount = (n) => { count.textContent = n ? `[${n}]` : '[ ]'; };
  // The traceback's frame in this very code (the newest cell run, not inside a function)
  // is marked in the editor.
  const markError = (out) => {
    const here = out.error?.traceback?.filter((f) => f.cell === out.executionCount && !f.function).pop();
    editor.markLine(out.error ? (here?.line ?? out.error.line) : null);
  };
  cell.lastOutput = () => last;

  cell.run = async () => {
    if (root.dataset.state === 'queued' || root.dataset.state === 'running') return;
    setState('queued', 'queued…');
    try {
      const out = await ctx.kernel.run(editor.text(), { onStart: () => setState('running', 'running…') });
      renderOutput(output, out);
      showCount(out.executionCount);
      markError(out);
      setState(out.error ? 'error' : 'done');
      outputChanged({ count: out.executionCount ?? null, stdout: out.stdout, error: out.error, images: out.images || [] });
    } catch (e) {
      showCount(null);
      if (e.kind === 'Cancelled') return setState('idle');
      output.replaceChildren();
      if (e.kind === 'KernelRestarted') renderNote(output, `Stopped. The kernel was restarted (${e.detail}); variables from earlier cells are lost, run them again.`, 'warn');
      else renderNote(output, e.message, 'warn');
      setState('stopped');
      outputChanged(null);
    }
  };
  /** Shows a saved output ({count, stdout, error, images, truncated, dropped}) from an earlier
   *  visit; the cell stays idle (this kernel has not run it). */
  cell.showOutput = (saved) => {
    const { stdout, error, images = [], truncated = 0, dropped = 0 } = saved;
    renderOutput(output, { stdout, error, images });
    if (truncated) renderNote(output, `(${truncated.toLocaleString()} more characters were printed; they were not kept.)`);
    if (dropped) renderNote(output, `(${dropped} picture${dropped > 1 ? 's were' : ' was'} not kept: too large to save.)`);
    last = { count: saved.count ?? null, stdout, error, images };
    showCount(saved.count);
    markError({ error, executionCount: saved.count });
    root.dataset.restored = '1';
    status.textContent = 'output of your last visit';
  };
  cell.clearOutput = () => {
    output.replaceChildren();
    showCount(null);
    editor.markLine(null);
    setState('idle');
    outputChanged(null);
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

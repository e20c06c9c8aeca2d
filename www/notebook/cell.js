// One runnable code cell: an editable <textarea> (auto-grows, Tab inserts spaces, Shift+Enter
// runs), Run / Stop / Reset buttons, an "edited" marker and the output area.
// State for tests and styles: data-state = idle | queued | running | done | error | stopped.
import { el } from '../widgets/common.js';
import { renderNote, renderOutput } from './output.js';

const INDENT = '    ';

function autoGrow(area) {
  area.style.height = 'auto';
  area.style.height = `${area.scrollHeight + 2}px`;
}

function onKey(e, area, run) {
  if (e.key === 'Enter' && e.shiftKey) {
    e.preventDefault();
    run();
  } else if (e.key === 'Tab' && !e.shiftKey && !e.ctrlKey && !e.altKey && !e.metaKey) {
    e.preventDefault();
    area.setRangeText(INDENT, area.selectionStart, area.selectionEnd, 'end');
    area.dispatchEvent(new Event('input'));
  }
  // Escape leaves the textarea to the keyboard's normal Tab order (Tab is captured above).
  else if (e.key === 'Escape') area.blur();
}

/** A cell for `original` (the lesson's text) showing `text`. `ctx`: {kernel (KernelSession),
 *  onEdit(), onOutput() (after a run changed the output)}. Returns {root, index, run(), reset(),
 *  text(), original, edited(), lastOutput(), showOutput(saved), clearOutput()}. */
export function createCell(index, original, text, ctx) {
  const label = `Code cell ${index + 1}`;
  const area = el('textarea', { class: 'nb-code', spellcheck: 'false', autocapitalize: 'off', autocomplete: 'off', 'aria-label': label, rows: 1, title: 'Shift+Enter runs the cell; Tab indents; Esc, then Tab, leaves the cell' });
  area.value = text;
  const runBtn = el('button', { type: 'button', class: 'nb-run', title: 'Run (Shift+Enter)' }, 'Run');
  const stopBtn = el('button', { type: 'button', class: 'nb-stop', hidden: true }, 'Stop');
  const resetBtn = el('button', { type: 'button', class: 'nb-reset', title: 'Restore the lesson\'s text of this cell' }, 'Reset');
  const edited = el('span', { class: 'nb-edited' }, 'edited');
  const status = el('span', { class: 'nb-status', 'aria-live': 'polite' });
  const output = el('div', { class: 'nb-output', 'aria-live': 'polite', 'aria-label': `Output of ${label}` });
  const root = el('section', { class: 'nb-cell', 'aria-label': label, dataset: { index: String(index), state: 'idle' } },
    el('div', { class: 'nb-cell-bar' }, runBtn, stopBtn, resetBtn, edited, status), area, output);

  const cell = { root, index, original, output, text: () => area.value, edited: () => area.value !== original };
  const setState = (state, note = '') => {
    root.dataset.state = state;
    status.textContent = note;
    const active = state === 'queued' || state === 'running';
    runBtn.disabled = active;
    stopBtn.hidden = !active;
  };
  const markEdited = () => { edited.hidden = !cell.edited(); };

  // The last output, as the page saves it: {count, stdout, error, images} (null: none).
  let last = null;
  const outputChanged = (value) => {
    last = value;
    delete root.dataset.restored;
    if (ctx.onOutput) ctx.onOutput(cell);
  };
  cell.lastOutput = () => last && { count: cell.count ?? null, ...last };
  /** Shows a saved output ({count, stdout, error, images, truncated, dropped}) from an earlier
   *  visit; the cell stays idle (this kernel has not run it). */
  cell.showOutput = (saved) => {
    const { stdout, error, images = [], truncated = 0, dropped = 0 } = saved;
    renderOutput(output, { stdout, error, images });
    if (truncated) renderNote(output, `(${truncated.toLocaleString()} more characters were printed; they were not kept.)`);
    if (dropped) renderNote(output, `(${dropped} picture${dropped > 1 ? 's were' : ' was'} not kept: too large to save.)`);
    last = { stdout, error, images };
    cell.count = saved.count ?? null;
    root.dataset.restored = '1';
    status.textContent = 'output of your last visit';
  };
  cell.clearOutput = () => {
    output.replaceChildren();
    setState('idle');
    outputChanged(null);
  };

  cell.run = async () => {
    if (root.dataset.state === 'queued' || root.dataset.state === 'running') return;
    setState('queued', 'queued…');
    try {
      const out = await ctx.kernel.run(area.value, { onStart: () => setState('running', 'running…') });
      renderOutput(output, out);
      setState(out.error ? 'error' : 'done');
      outputChanged({ stdout: out.stdout, error: out.error, images: out.images || [] });
    } catch (e) {
      if (e.kind === 'Cancelled') return setState('idle');
      output.replaceChildren();
      if (e.kind === 'KernelRestarted') renderNote(output, `Stopped. The kernel was restarted (${e.detail}); variables from earlier cells are lost, run them again.`, 'warn');
      else renderNote(output, e.message, 'warn');
      setState('stopped');
      outputChanged(null);
    }
  };
  cell.setText = (value) => {
    area.value = value;
    autoGrow(area);
    markEdited();
  };
  cell.reset = () => {
    cell.setText(original);
    ctx.onEdit(cell);
  };

  runBtn.addEventListener('click', () => cell.run());
  stopBtn.addEventListener('click', () => ctx.kernel.stop());
  resetBtn.addEventListener('click', () => cell.reset());
  area.addEventListener('keydown', (e) => onKey(e, area, () => cell.run()));
  area.addEventListener('input', () => {
    autoGrow(area);
    markEdited();
    ctx.onEdit(cell);
  });
  markEdited();
  requestAnimationFrame(() => autoGrow(area));
  return cell;
}

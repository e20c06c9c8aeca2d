// A cell's code editor: CodeMirror 6 (www/vendor/codemirror.js, bundled by `make build`) with
// Python highlighting, bracket matching, line numbers, wrapped long lines (no scroll region
// the keyboard cannot reach), undo history, Tab indenting (Esc, then
// Tab, leaves the editor: CodeMirror's own convention) and a marked line for a traceback.
import {
  Decoration, EditorState, EditorView, StateEffect, StateField, bracketMatching,
  defaultHighlightStyle, defaultKeymap, drawSelection, history, historyKeymap, indentOnInput,
  indentWithTab, keymap, lineNumbers, pythonLanguage, syntaxHighlighting,
} from '../vendor/codemirror.js';

// Sizes and colours in CodeMirror's own theme system, so that its measurements (line heights
// for the gutter) see the same font as the text.
const theme = EditorView.theme({
  '&': { fontSize: '14px', backgroundColor: '#fff', borderTop: '1px solid #d5dbe3' },
  '.cm-scroller': { fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace', lineHeight: '1.45' },
  '.cm-content': { padding: '.4rem 0' },
  '&.cm-focused': { outline: '3px solid var(--accent, #1f6feb)', outlineOffset: '-3px' },
  '.cm-gutters': { backgroundColor: 'var(--panel, #f4f6f9)', color: 'var(--muted, #5a6472)', borderRight: '1px solid #d5dbe3' },
});

const setMark = StateEffect.define();
const markedLine = Decoration.line({ class: 'nb-line-error' });

// The line a traceback points at, until the text changes or a new result arrives.
const errorLine = StateField.define({
  create: () => Decoration.none,
  update(marks, tr) {
    for (const e of tr.effects) {
      if (e.is(setMark)) {
        const n = e.value;
        if (!n || n > tr.state.doc.lines) return Decoration.none;
        return Decoration.set([markedLine.range(tr.state.doc.line(n).from)]);
      }
    }
    return tr.docChanged ? Decoration.none : marks;
  },
  provide: (f) => EditorView.decorations.from(f),
});

/** An editor for `text` in a new element. `opts`: {label, onChange(), onRun(), onRunNext()}.
 *  Returns {dom, text(), setText(t), focus(), markLine(n | null)}. */
export function createEditor(text, { label, onChange, onRun, onRunNext }) {
  const runKeys = keymap.of([
    { key: 'Shift-Enter', run: () => { onRunNext(); return true; } },
    { key: 'Mod-Enter', run: () => { onRun(); return true; } },
  ]);
  let silent = false; // programmatic changes (setText) are not the reader's edits
  const view = new EditorView({
    state: EditorState.create({
      doc: text,
      extensions: [
        runKeys, theme, lineNumbers(), history(), drawSelection(), indentOnInput(), bracketMatching(),
        syntaxHighlighting(defaultHighlightStyle), pythonLanguage, errorLine,
        EditorState.tabSize.of(4), EditorView.lineWrapping,
        keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
        EditorView.contentAttributes.of({ 'aria-label': label, spellcheck: 'false', autocapitalize: 'off', autocorrect: 'off' }),
        EditorView.updateListener.of((u) => { if (u.docChanged && !silent) onChange(); }),
      ],
    }),
  });
  view.dom.classList.add('nb-editor');
  // Created detached, so CodeMirror measured no real line heights yet: measure once attached
  // and again when the web fonts are in (the gutter's numbers follow those heights).
  const measure = () => view.requestMeasure();
  requestAnimationFrame(measure);
  document.fonts?.ready.then(measure);
  return {
    dom: view.dom,
    text: () => view.state.doc.toString(),
    setText(t) {
      silent = true;
      try {
        view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: t } });
      } finally {
        silent = false;
      }
    },
    focus: () => view.focus(),
    markLine(n) {
      view.dispatch({ effects: setMark.of(n || null) });
    },
  };
}

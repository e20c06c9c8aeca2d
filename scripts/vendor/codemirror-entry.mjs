// The parts of CodeMirror 6 the notebook cells use, bundled by `make build` (esbuild) into
// www/vendor/codemirror.js. No basicSetup: autocomplete, search and lint are left out.
export { EditorState, StateEffect, StateField } from '@codemirror/state';
export { Decoration, EditorView, drawSelection, keymap, lineNumbers } from '@codemirror/view';
export { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
export { bracketMatching, defaultHighlightStyle, indentOnInput, syntaxHighlighting } from '@codemirror/language';
export { pythonLanguage } from '@codemirror/lang-python';

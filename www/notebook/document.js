// A lesson file (www/lessons/<id>.md) as a list of blocks: Markdown prose, runnable ```python
// cells, ```widget <name> blocks (JSON options) and other fenced code (shown, not run).

/** `text` -> [{type:'prose', text} | {type:'python', code, index, expectsError} |
 *  {type:'widget', name, options, error?} | {type:'code', lang, code}]; `index` counts the
 *  python cells from 0; `expectsError` marks a ```python error cell (its error is the lesson). */
export function parseLesson(text) {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const blocks = [];
  let prose = [];
  let cells = 0;
  const endProse = () => {
    if (prose.some((l) => l.trim())) blocks.push({ type: 'prose', text: prose.join('\n') });
    prose = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const open = /^(`{3,}|~{3,})\s*([^`]*)$/.exec(lines[i]);
    if (!open) { prose.push(lines[i]); continue; }
    const fence = open[1];
    const info = open[2].trim();
    const body = [];
    const closes = (line) => {
      const m = /^(`{3,}|~{3,})\s*$/.exec(line);
      return m && m[1][0] === fence[0] && m[1].length >= fence.length;
    };
    for (i++; i < lines.length && !closes(lines[i]); i++) body.push(lines[i]);
    endProse();
    const code = body.join('\n');
    const [lang, ...rest] = info.split(/\s+/);
    if (lang === 'python') {
      blocks.push({ type: 'python', code, index: cells++, expectsError: rest[0] === 'error' });
    } else if (lang === 'widget') {
      const block = { type: 'widget', name: rest[0] || '', options: {} };
      try {
        if (code.trim()) block.options = JSON.parse(code);
      } catch (e) {
        block.error = `widget ${block.name}: options are not valid JSON (${e.message})`;
      }
      blocks.push(block);
    } else {
      blocks.push({ type: 'code', lang: lang || '', code });
    }
  }
  endProse();
  return blocks;
}

/** The first level-1 heading of the lesson, if any. */
export function lessonTitle(blocks) {
  for (const b of blocks) {
    if (b.type !== 'prose') continue;
    const m = /^#\s+(.+)$/m.exec(b.text);
    if (m) return m[1].trim();
  }
  return null;
}

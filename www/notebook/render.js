// A parsed lesson (notebook/document.js) as DOM: prose through the Markdown renderer, python
// blocks as runnable cells, widget blocks mounted from www/widgets/<name>.js, other fenced code
// shown as-is.
import { el, showError } from '../widgets/common.js';
import { createCell } from './cell.js';
import { renderMarkdown } from './markdown.js';

async function mountWidget(host, block, client) {
  if (block.error) throw new Error(block.error);
  if (!/^[a-z0-9-]+$/.test(block.name)) throw new Error(`widget: bad name '${block.name}'`);
  const mod = await import(new URL(`../widgets/${block.name}.js`, import.meta.url).href).catch(() => {
    throw new Error(`widget: no widget named '${block.name}'`);
  });
  await mod.mount(host, block.options, { client });
  host.dataset.mounted = block.name;
}

/** Appends the lesson to `article`. `texts[i]` is the text to show in python cell i; `ctx`:
 *  {kernel, client, onEdit}. Returns the cells in order. */
export function renderLesson(article, blocks, texts, ctx) {
  const cells = [];
  for (const block of blocks) {
    if (block.type === 'prose') {
      article.append(el('div', { class: 'nb-prose' }, ...renderMarkdown(block.text)));
    } else if (block.type === 'python') {
      const cell = createCell(block.index, block.code, texts[block.index] ?? block.code, ctx, { expectsError: block.expectsError });
      cells.push(cell);
      article.append(cell.root);
    } else if (block.type === 'widget') {
      const host = el('div', { class: 'nb-widget', dataset: { widget: block.name } });
      article.append(host);
      mountWidget(host, block, ctx.client).catch((e) => {
        showError(host, e);
        host.dataset.mounted = 'error';
      });
    } else {
      article.append(el('pre', { class: 'nb-static' }, el('code', {}, block.code)));
    }
  }
  return cells;
}

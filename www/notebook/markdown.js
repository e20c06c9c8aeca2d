// Lesson prose as DOM: Markdown parsed by marked (vendored from npm, `marked.lexer` only) and
// turned into nodes here with textContent, never innerHTML. Raw HTML in a lesson shows as text,
// and links keep only http(s), mailto, in-page and relative targets, so lesson text cannot
// inject markup or scripts.
import { marked } from '../vendor/marked.esm.js';

const SAFE_URL = /^(https?:|mailto:|#|\.{0,2}\/|[\w.-]+(?:[/?#]|$))/i;

function node(tag, children = [], attrs = {}) {
  const n = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, v);
  n.append(...children);
  return n;
}

/** Inline tokens → nodes and strings. */
function inline(tokens = []) {
  return tokens.flatMap((t) => {
    switch (t.type) {
      case 'strong': return [node('strong', inline(t.tokens))];
      case 'em': return [node('em', inline(t.tokens))];
      case 'del': return [node('del', inline(t.tokens))];
      case 'codespan': return [node('code', [t.text])];
      case 'br': return [node('br')];
      case 'link':
        return SAFE_URL.test(t.href.trim()) ? [node('a', inline(t.tokens), { href: t.href.trim() })] : inline(t.tokens);
      case 'image': return [t.text]; // lessons draw pictures with widgets, not remote images
      case 'text': return t.tokens ? inline(t.tokens) : [t.text];
      default: return [t.raw ?? t.text ?? '']; // html, escape, …: as plain text
    }
  });
}

/** Block tokens → nodes. */
function blocks(tokens = []) {
  return tokens.flatMap((t) => {
    switch (t.type) {
      case 'space': return [];
      case 'heading': return [node(`h${t.depth}`, inline(t.tokens))];
      case 'paragraph': return [node('p', inline(t.tokens))];
      case 'hr': return [node('hr')];
      case 'blockquote': return [node('blockquote', blocks(t.tokens))];
      case 'code': return [node('pre', [node('code', [t.text])])];
      case 'list': {
        const attrs = t.ordered && t.start !== '' && t.start !== 1 ? { start: String(t.start) } : {};
        return [node(t.ordered ? 'ol' : 'ul', t.items.map((it) => node('li', blocks(it.tokens))), attrs)];
      }
      case 'table': {
        const row = (cells, tag) => node('tr', cells.map((c) => node(tag, inline(c.tokens))));
        return [node('table', [node('thead', [row(t.header, 'th')]), node('tbody', t.rows.map((r) => row(r, 'td')))])];
      }
      case 'text': return t.tokens ? inline(t.tokens) : [t.text];
      default: return [node('p', [t.raw ?? t.text ?? ''])]; // html blocks: shown as text
    }
  });
}

/** Block Markdown of `text` (fenced python/widget blocks are taken out before) as nodes. */
export function renderMarkdown(text) {
  return blocks(marked.lexer(text, { gfm: true }));
}

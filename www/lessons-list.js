// The landing page's list of lessons, read from www/lessons/index.json ([{id, title, summary}]).
import { el } from './widgets/common.js';

const list = document.getElementById('lessons-list');

async function main() {
  const r = await fetch(new URL('./lessons/index.json', import.meta.url));
  if (!r.ok) throw new Error(`the lesson index could not be loaded (HTTP ${r.status})`);
  const lessons = await r.json();
  list.replaceChildren(...lessons
    .filter((l) => /^[a-z0-9-]+$/.test(l.id))
    .map((l) => {
      const href = new URL(`./lesson.html?id=${encodeURIComponent(l.id)}`, import.meta.url);
      return el('li', {}, el('a', { href: href.pathname + href.search }, l.title || l.id), l.summary ? ` — ${l.summary}` : '');
    }));
  list.dataset.state = 'ready';
}

main().catch((e) => {
  list.replaceChildren(el('li', { class: 'error' }, e.message));
  list.dataset.state = 'error';
});

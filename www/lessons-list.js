// The landing page's lessons, read from www/lessons/index.json ([{id, title, minutes,
// summary}]), in the order it recommends: a numbered list with minutes per lesson, the first
// (the tour) marked as the place to start, and the total time.
import { el } from './widgets/common.js';

const list = document.getElementById('lessons-list');
const total = document.getElementById('lessons-total');

async function main() {
  const r = await fetch(new URL('./lessons/index.json', import.meta.url));
  if (!r.ok) throw new Error(`the lesson index could not be loaded (HTTP ${r.status})`);
  const lessons = (await r.json()).filter((l) => /^[a-z0-9-]+$/.test(l.id));
  list.replaceChildren(...lessons.map((l, i) => {
    const href = new URL(`./lesson.html?id=${encodeURIComponent(l.id)}`, import.meta.url);
    const minutes = Number.isFinite(l.minutes) ? el('span', { class: 'lesson-minutes' }, `about ${l.minutes} min`) : null;
    return el('li', { dataset: { lesson: l.id } },
      el('a', { href: href.pathname + href.search }, l.title || l.id),
      i === 0 ? el('strong', { class: 'lesson-start' }, ' start here') : null,
      minutes ? ' · ' : null, minutes,
      l.summary ? el('p', { class: 'lesson-summary' }, l.summary) : null);
  }));
  const sum = lessons.reduce((a, l) => a + (Number.isFinite(l.minutes) ? l.minutes : 0), 0);
  if (total && sum) total.textContent = `${lessons.length} lessons, about ${Math.round(sum / 5) * 5} minutes in all.`;
  list.dataset.state = 'ready';
}

main().catch((e) => {
  list.replaceChildren(el('li', { class: 'error' }, e.message));
  list.dataset.state = 'error';
});

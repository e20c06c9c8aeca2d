// nnbook's service worker: after the first visit the site and its data work offline.
//
// Network first (so a new build is picked up as soon as the network answers), falling back to
// the cache. Every same-origin GET that succeeds is cached. On install it also fetches
// `precache.json` (written by `make dist`: every file of the site) and caches those files, so
// lessons and data not yet opened are there offline too. Query strings are ignored when
// answering from the cache (`lesson.html?id=linear` is `lesson.html`).
const CACHE = 'nnbook-v1';

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    try {
      const res = await fetch('precache.json', { cache: 'no-cache' });
      if (res.ok) {
        const files = await res.json();
        // One by one: a single missing file must not discard the whole precache.
        for (const f of Array.isArray(files) ? files : []) {
          try { await cache.add(f); } catch (_) { /* cached later when fetched */ }
        }
      }
    } catch (_) { /* no precache list (dev server): runtime caching only */ }
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) if (key !== CACHE) await caches.delete(key);
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET' || new URL(req.url).origin !== self.location.origin) return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    try {
      const res = await fetch(req);
      if (res.ok && res.type === 'basic' && !req.headers.has('range')) {
        event.waitUntil(cache.put(req, res.clone()));
      }
      return res;
    } catch (err) {
      const hit = await cache.match(req, { ignoreSearch: true });
      if (hit) return hit;
      throw err;
    }
  })());
});

// Registers the service worker (../sw.js, scope: the site root) so the site works offline after
// the first visit. Skipped where service workers are unavailable (file://, some embeds) and with
// `?sw=0`; failures are logged as warnings, never shown as page errors.
export function registerOffline() {
  const params = new URLSearchParams(location.search);
  if (!('serviceWorker' in navigator) || params.get('sw') === '0') return Promise.resolve(null);
  const url = new URL('../sw.js', import.meta.url);
  return navigator.serviceWorker.register(url, { scope: new URL('./', url).pathname }).catch((e) => {
    console.warn(`nnbook: offline cache unavailable (${e.message})`);
    return null;
  });
}

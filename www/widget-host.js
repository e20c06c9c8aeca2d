// Mounts one widget alone: widget.html?name=<name>&options=<url-encoded JSON>.
// Used by the end-to-end tests and for embedding a single figure in an iframe.
import { getClient } from './client.js';
import { showError } from './widgets/common.js';

const host = document.getElementById('widget-host');
const params = new URLSearchParams(location.search);
const name = params.get('name') || '';

async function main() {
  if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`widget: bad or missing name '${name}' (use ?name=<widget>)`);
  let options = {};
  if (params.get('options')) {
    try {
      options = JSON.parse(params.get('options'));
    } catch (e) {
      throw new Error(`widget ${name}: options are not valid JSON (${e.message})`);
    }
  }
  document.title = `nnbook — ${name}`;
  const mod = await import(`./widgets/${name}.js`).catch(() => {
    throw new Error(`widget: no widget named '${name}'`);
  });
  await mod.mount(host, options, { client: getClient() });
  host.dataset.mounted = name;
}

main().catch((e) => {
  showError(host, e);
  host.dataset.mounted = 'error';
});

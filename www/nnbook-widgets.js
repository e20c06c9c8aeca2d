// nnbook's embeddable widgets as custom elements. One line in any page:
//   <script type="module" src="https://host/nnbook/www/nnbook-widgets.js"></script>
// then e.g. <nn-widget name="reshape-grid" options='{"in_shape": [2, 3, 4]}'></nn-widget> or an
// alias such as <nn-linear n="4" in="6" out="3"></nn-linear>.
//
// Each element renders inside its own Shadow DOM with nnbook's stylesheet; every widget on the
// page shares one compute worker; nothing is added to the page's globals.
import { getClient } from './client.js';
import { showError } from './widgets/common.js';
import { disableUrlState } from './widgets/lesson-kit.js';

disableUrlState();

const STYLE_URL = new URL('./style.css', import.meta.url).href;

/** Alias element → widget module name (www/widgets/<name>.js). */
export const ALIASES = {
  'nn-linear': 'linear-shapes',
  'nn-reshape': 'reshape-grid',
  'nn-stn': 'stn-transform',
  'nn-trainer': 'trainer',
  'nn-cell': 'cell',
};

/** Options from attributes: `options` (JSON) first, then each other attribute (a JSON value
 * if it parses — numbers, booleans, arrays — else the string); `in-shape` becomes `in_shape`. */
function optionsOf(el) {
  let options = {};
  const raw = el.getAttribute('options');
  if (raw) {
    try {
      options = JSON.parse(raw);
    } catch (e) {
      throw new Error(`<${el.localName}>: the options attribute is not valid JSON (${e.message})`);
    }
  }
  for (const { name, value } of el.attributes) {
    if (name === 'options' || name === 'name' || name === 'class' || name === 'style' || name === 'id') continue;
    const key = name.replace(/-/g, '_');
    try {
      options[key] = JSON.parse(value);
    } catch (_) {
      options[key] = value;
    }
  }
  return options;
}

class NnWidget extends HTMLElement {
  async connectedCallback() {
    if (this.shadowRoot) return;
    const root = this.attachShadow({ mode: 'open' });
    const link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = STYLE_URL;
    const host = document.createElement('div');
    host.className = 'nn-widget-root';
    root.append(link, host);
    const name = ALIASES[this.localName] || this.getAttribute('name') || '';
    try {
      if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`<${this.localName}>: missing or bad name="${name}"`);
      const mod = await import(new URL(`./widgets/${name}.js`, import.meta.url).href).catch(() => {
        throw new Error(`<${this.localName}>: no nnbook widget named '${name}'`);
      });
      this.instance = await mod.mount(host, optionsOf(this), { client: getClient() });
      this.dataset.mounted = name;
    } catch (e) {
      showError(host, e);
      this.dataset.mounted = 'error';
    }
  }

  disconnectedCallback() {
    if (this.instance && typeof this.instance.destroy === 'function') this.instance.destroy();
  }
}

for (const tag of ['nn-widget', ...Object.keys(ALIASES)]) {
  if (!customElements.get(tag)) customElements.define(tag, class extends NnWidget {});
}

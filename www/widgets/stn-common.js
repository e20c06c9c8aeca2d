// Controls and drawing shared by the spatial-transformer figures.
import { el } from './common.js';
import { field, choice, fmt } from './lesson-kit.js';

export const SLIDERS = {
  rotation: { label: 'rotation (°)', min: -180, max: 180, step: 1, value: 0 },
  scale: { label: 'scale', min: 0.3, max: 3, step: 0.05, value: 1 },
  tx: { label: 'shift x', min: -1, max: 1, step: 0.05, value: 0 },
  ty: { label: 'shift y', min: -1, max: 1, step: 0.05, value: 0 },
  shear: { label: 'shear', min: -1, max: 1, step: 0.05, value: 0 },
};

/** Range inputs for `keys` of SLIDERS writing into `params`; calls `onChange` after each move. */
export function sliders(keys, params, onChange) {
  return keys.map((k) => {
    const s = SLIDERS[k];
    return field(s.label, { type: 'range', min: s.min, max: s.max, step: s.step, value: params[k], dataset: { param: k } }, (v) => {
      params[k] = v;
      onChange();
    }).wrap;
  });
}

/** Slider values from options / URL, defaults elsewhere. */
export function initialParams(options, url) {
  const p = {};
  for (const [k, s] of Object.entries(SLIDERS)) p[k] = Number(url.get(k, options[k] ?? s.value));
  return p;
}

export const modeChoice = (value, onChange) => choice('mode', [['bilinear', 'bilinear'], ['nearest', 'nearest']], value, onChange);
export const paddingChoice = (value, onChange) => choice('padding_mode', [['zeros', 'zeros'], ['border', 'border'], ['reflection', 'reflection']], value, onChange);

/** θ as a small 2×3 table. */
export function thetaTable(theta) {
  const row = (a) => el('tr', {}, a.map((v) => el('td', {}, fmt(v, 3))));
  return el('table', { class: 'nn-theta', 'aria-label': 'theta' }, el('caption', {}, 'θ'), el('tbody', {}, row(theta.slice(0, 3)), row(theta.slice(3, 6))));
}

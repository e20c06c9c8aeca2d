// Worker methods for the layer editor (www/widgets/layer-editor.js) and the graph view
// (www/widgets/model-graph.js). Shapes, parameters, multiply-adds, feature maps and filter
// tiles are all computed in wasm (src/nn/spec.rs, src/lessons/inspect.rs, tiles.rs).
//
// The graph view inspects a training session's model (www/worker/training.js; the trainer's
// unless `session` names another, e.g. the layer editor's): its architecture, its current
// weights and its normalisation. When the session does not exist yet, asking for its status
// creates one, i.e. the freshly initialised model of its seed. Each graph view keeps its own
// inspector under `key`, so two views on a page never answer for each other.

import { trainingMethods } from './training.js';
import { Transfer } from './transfer.js';

const TEST_FILE = 'cifar10-test';
let testData = null; // Promise<LessonData>
const inspectors = new Map(); // key -> { m: ModelInspector, source }

function testSet(wasm) {
  if (!testData) {
    testData = (async () => {
      const res = await fetch(new URL(`../data/${TEST_FILE}.nnbd`, import.meta.url));
      if (!res.ok) throw new Error(`OSError: could not load ${TEST_FILE}.nnbd (HTTP ${res.status}; run \`make data\`)`);
      return new wasm.LessonData(new Uint8Array(await res.arrayBuffer()), `${TEST_FILE}.nnbd`);
    })();
    testData.catch(() => { testData = null; });
  }
  return testData;
}

function need(key = 'default') {
  const inspector = inspectors.get(key);
  if (!inspector) throw new Error('ValueError: no model to inspect yet (call graphLoad first)');
  return inspector.m;
}

function tiles(t) {
  return new Transfer(t, [t.rgba.buffer]);
}

export const modelSpecMethods = {
  // Shape trace of a layer spec: {input, rows, reprs, error, model_text, total_params, total_mult_adds}.
  traceSpec: ({ layers = [], input = [64, 3, 32, 32] } = {}, _p, wasm) =>
    wasm.traceSpec(JSON.stringify(layers), Uint32Array.from(input)),

  // The lessons' CIFAR-10 model as a layer spec.
  cifar10Spec: ({ relu = false } = {}, _p, wasm) => JSON.parse(wasm.cifar10Spec(!!relu)),

  // Builds the model to inspect. source 'trainer': the trainer session's model and weights;
  // 'spec': `layers` freshly initialised from `seed`. Returns {graph, source, model_text}.
  graphLoad: ({ source = 'trainer', layers = null, seed = 0, session, key = 'default' } = {}, _p, wasm) => {
    let m;
    let info;
    if (source === 'spec') {
      m = new wasm.ModelInspector(JSON.stringify(layers), seed);
      info = { kind: 'fresh', seed };
    } else {
      const status = trainingMethods.trainStatus({ session }, null, wasm);
      const cfg = status.config || {};
      const spec = cfg.layers ? JSON.stringify(cfg.layers) : wasm.cifar10Spec(!!cfg.relu);
      m = new wasm.ModelInspector(spec, cfg.seed || 0);
      m.loadSafetensors(trainingMethods.trainExportSafetensors({ session }, null, wasm), 'trainer weights');
      m.setNormalize(!!cfg.normalize);
      info = { kind: status.step > 0 ? 'trained' : 'fresh', seed: cfg.seed || 0, step: status.step, epoch: status.epoch, normalize: !!cfg.normalize };
    }
    if (inspectors.has(key)) inspectors.get(key).m.free();
    inspectors.set(key, { m, source: info });
    return { graph: m.graph(3, 32, 32), source: info, model_text: m.printModel() };
  },

  // Runs test image `index` through the model: {image: {rgba, width, height}, label, predicted, classes, count}.
  graphRun: async ({ index = 0, key } = {}, _p, wasm) => {
    const ds = await testSet(wasm);
    const m = need(key);
    const i = Math.max(0, Math.min(ds.len() - 1, index | 0));
    const x = ds.images(i, 1);
    m.run(x, 3, 32, 32);
    return {
      index: i,
      count: ds.len(),
      image: { rgba: wasm.imagesToRgba(x, 1, 3, 32, 32), width: 32, height: 32 },
      label: ds.labels(i, 1)[0],
      predicted: m.predicted(),
      classes: ds.classNames(),
    };
  },

  // Layer `layer`'s output for the last image as tiles: {rgba, width, height, rows, cols, shape, ...}.
  graphFeatureMaps: ({ layer = 0, key } = {}) => tiles(need(key).featureMaps(layer)),

  // Conv layer `layer`'s filters as tiles.
  graphFilters: ({ layer = 0, key } = {}) => tiles(need(key).filters(layer)),

  // Frees the inspector of a graph view that went away.
  graphFree: ({ key = 'default' } = {}) => {
    const had = inspectors.get(key);
    if (had) { had.m.free(); inspectors.delete(key); }
    return { freed: !!had };
  },
};

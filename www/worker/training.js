// Worker methods for the CIFAR-10 trainer (www/widgets/trainer.js, evaluation.js) and the
// layer editor's "train this model" (www/widgets/layer-train.js).
// Each training session lives in the worker with its data, under a name (`session`: the
// trainer's is 'trainer', the default); the page drives training in chunks (`trainSteps`), so
// pause/stop take effect between chunks and the worker stays responsive.
// Each method gets (args, progress, wasm) and returns a structured-cloneable value.

const sessions = new Map(); // name -> ModelSession

function sessionName(name = 'trainer') {
  if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`ValueError: bad training session name '${name}'`);
  return name;
}

function need(wasm, name) {
  const key = sessionName(name);
  if (!sessions.has(key)) sessions.set(key, new wasm.ModelSession({}));
  return sessions.get(key);
}

async function fetchBytes(url) {
  const res = await fetch(new URL(url, self.location.href));
  if (!res.ok) throw new Error(`NnbookError: ${url}: HTTP ${res.status} (run \`make data\` to build www/data)`);
  return new Uint8Array(await res.arrayBuffer());
}

export const trainingMethods = {
  // Creates the session (or starts it over with `config`, keeping loaded data).
  trainInit: ({ config = {}, session } = {}, _p, wasm) => {
    const key = sessionName(session);
    if (!sessions.has(key)) sessions.set(key, new wasm.ModelSession(config));
    else sessions.get(key).configure(config);
    const s = sessions.get(key);
    return { status: s.status(), model: s.printModel() };
  },
  // Fetches a data file (default www/data/…) in the worker and loads it: [{role, name, count}].
  trainLoadUrl: async ({ url, role = 'auto', session } = {}, _p, wasm) => {
    const bytes = await fetchBytes(url);
    return need(wasm, session).loadData(bytes, url.split('/').pop(), role);
  },
  // Loads bytes the user dropped or picked (.nnbd, .bin, cifar-10-binary.tar.gz).
  trainLoadBytes: ({ bytes, file, role = 'auto', session } = {}, _p, wasm) =>
    need(wasm, session).loadData(new Uint8Array(bytes), file || 'upload', role),
  // Up to k steps; adds the wall time and images/s of the chunk.
  trainSteps: ({ k = 1, session } = {}, _p, wasm) => {
    const t0 = performance.now();
    const r = need(wasm, session).trainSteps(k);
    const ms = performance.now() - t0;
    return { ...r, ms, images_per_s: r.images > 0 ? r.images / (ms / 1000) : 0 };
  },
  trainFinishEpoch: ({ session } = {}, _p, wasm) => need(wasm, session).finishEpoch(),
  trainStatus: ({ session } = {}, _p, wasm) => need(wasm, session).status(),
  trainPrintModel: ({ session } = {}, _p, wasm) => need(wasm, session).printModel(),
  // Test-set evaluation plus the gallery's pixels ([3,32,32] uint8 CHW per image).
  trainEvaluate: ({ gallery = 24, session } = {}, _p, wasm) => {
    const s = need(wasm, session);
    const ev = s.evaluate(gallery);
    const images = s.testImages(Uint32Array.from(ev.gallery.map((g) => g.index)));
    return { ...ev, images };
  },
  trainPredictImage: ({ rgb, session } = {}, _p, wasm) => Array.from(need(wasm, session).predictImage(new Uint8Array(rgb))),
  trainExportState: ({ session } = {}, _p, wasm) => need(wasm, session).exportState(),
  trainImportState: ({ bytes, file = 'checkpoint', session } = {}, _p, wasm) => {
    const s = need(wasm, session);
    s.importState(new Uint8Array(bytes), file);
    return s.status();
  },
  trainExportSafetensors: ({ session } = {}, _p, wasm) => need(wasm, session).exportSafetensors(),
  trainImportSafetensors: ({ bytes, file = 'weights.safetensors', session } = {}, _p, wasm) => {
    const s = need(wasm, session);
    s.importSafetensors(new Uint8Array(bytes), file);
    return s.status();
  },
};

// Worker methods for the CIFAR-10 trainer (www/widgets/trainer.js, evaluation.js).
// One training session lives in the worker with its data; the page drives training in chunks
// (`trainSteps`), so pause/stop take effect between chunks and the worker stays responsive.
// Each method gets (args, progress, wasm) and returns a structured-cloneable value.

let session = null;

function need(wasm) {
  if (!session) session = new wasm.ModelSession({});
  return session;
}

async function fetchBytes(url) {
  const res = await fetch(new URL(url, self.location.href));
  if (!res.ok) throw new Error(`NnbookError: ${url}: HTTP ${res.status} (run \`make data\` to build www/data)`);
  return new Uint8Array(await res.arrayBuffer());
}

export const trainingMethods = {
  // Creates the session (or starts it over with `config`, keeping loaded data).
  trainInit: ({ config = {} } = {}, _p, wasm) => {
    if (!session) session = new wasm.ModelSession(config);
    else session.configure(config);
    return { status: session.status(), model: session.printModel() };
  },
  // Fetches a data file (default www/data/…) in the worker and loads it: [{role, name, count}].
  trainLoadUrl: async ({ url, role = 'auto' } = {}, _p, wasm) => {
    const bytes = await fetchBytes(url);
    return need(wasm).loadData(bytes, url.split('/').pop(), role);
  },
  // Loads bytes the user dropped or picked (.nnbd, .bin, cifar-10-binary.tar.gz).
  trainLoadBytes: ({ bytes, file, role = 'auto' } = {}, _p, wasm) =>
    need(wasm).loadData(new Uint8Array(bytes), file || 'upload', role),
  // Up to k steps; adds the wall time and images/s of the chunk.
  trainSteps: ({ k = 1 } = {}, _p, wasm) => {
    const t0 = performance.now();
    const r = need(wasm).trainSteps(k);
    const ms = performance.now() - t0;
    return { ...r, ms, images_per_s: r.images > 0 ? r.images / (ms / 1000) : 0 };
  },
  trainFinishEpoch: (_a, _p, wasm) => need(wasm).finishEpoch(),
  trainStatus: (_a, _p, wasm) => need(wasm).status(),
  trainPrintModel: (_a, _p, wasm) => need(wasm).printModel(),
  // Test-set evaluation plus the gallery's pixels ([3,32,32] uint8 CHW per image).
  trainEvaluate: ({ gallery = 24 } = {}, _p, wasm) => {
    const s = need(wasm);
    const ev = s.evaluate(gallery);
    const images = s.testImages(Uint32Array.from(ev.gallery.map((g) => g.index)));
    return { ...ev, images };
  },
  trainPredictImage: ({ rgb } = {}, _p, wasm) => Array.from(need(wasm).predictImage(new Uint8Array(rgb))),
  trainExportState: (_a, _p, wasm) => need(wasm).exportState(),
  trainImportState: ({ bytes, file = 'checkpoint' } = {}, _p, wasm) => {
    need(wasm).importState(new Uint8Array(bytes), file);
    return session.status();
  },
  trainExportSafetensors: (_a, _p, wasm) => need(wasm).exportSafetensors(),
  trainImportSafetensors: ({ bytes, file = 'weights.safetensors' } = {}, _p, wasm) => {
    need(wasm).importSafetensors(new Uint8Array(bytes), file);
    return session.status();
  },
};

// The page side of the worker protocol. Pages and widgets never touch wasm: they call
// `client.call(method, args)` and get a promise; progress arrives through `onProgress`.
//
// Messages: page -> worker {type:'init', options} once, then {id, method, args};
// worker -> page {type:'ready', info} | {type:'fatal', error} | {id, type:'result', value} |
// {id, type:'error', error:{kind, message}} | {id, type:'progress', progress}.

export class NnbookError extends Error {
  constructor({ kind, message, explain }) {
    super(`${kind}: ${message}`);
    this.kind = kind;
    this.detail = message;
    if (explain) this.explain = explain; // the figure's own words, when the worker has them
  }
}

export class NnbookClient {
  constructor(options = {}) {
    this.options = options;
    this.nextId = 1;
    this.pending = new Map();
    this.start();
  }

  start() {
    const workerUrl = new URL('./worker.js', import.meta.url);
    this.worker = new Worker(workerUrl, { type: 'module' });
    this.ready = new Promise((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    this.ready.catch(() => {}); // callers see the rejection through their own `await ready`
    this.worker.onmessage = ({ data }) => this.dispatch(data);
    this.worker.onerror = (e) => this.rejectReady(new Error(`worker failed to load: ${e.message || 'unknown error'}`));
    this.worker.postMessage({ type: 'init', options: this.options });
  }

  /** Terminates the worker (stopping whatever it computes) and starts a fresh one: every
   *  pending call rejects with kind 'KernelRestarted' and all worker state is lost. Returns
   *  the new `ready` promise. */
  restart(reason = 'the worker was restarted') {
    this.worker.terminate();
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const entry of pending) entry.reject(new NnbookError({ kind: 'KernelRestarted', message: reason }));
    this.start();
    return this.ready;
  }

  dispatch(data) {
    if (data.type === 'ready') return this.resolveReady(data.info);
    if (data.type === 'fatal') return this.rejectReady(new NnbookError(data.error));
    const entry = this.pending.get(data.id);
    if (!entry) return;
    if (data.type === 'progress') {
      if (entry.onProgress) entry.onProgress(data.progress);
      return;
    }
    this.pending.delete(data.id);
    if (data.type === 'result') entry.resolve(data.value);
    else entry.reject(new NnbookError(data.error));
  }

  /** Calls `method` in the worker; `transfer` lists ArrayBuffers to move, not copy. */
  call(method, args = {}, { onProgress, transfer = [] } = {}) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onProgress });
      this.worker.postMessage({ id, method, args }, transfer);
    });
  }
}

let shared = null;

/** One worker per page, shared by every view and widget. `?threads=0` forces pkg. */
export function getClient() {
  if (!shared) {
    const params = new URLSearchParams(globalThis.location ? location.search : '');
    shared = new NnbookClient({ forceSingleThread: params.get('threads') === '0' });
  }
  return shared;
}

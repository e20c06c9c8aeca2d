// The lesson page's Python kernel: one NotebookKernel in the shared worker, cells run one at a
// time from a queue, and Stop. Stop sets a SharedArrayBuffer flag the kernel polls (the cell
// ends with KeyboardInterrupt) when the page is cross-origin isolated; without SAB, or if the
// cell has not stopped after STOP_GRACE_MS, the worker is terminated and restarted (all kernel
// state is lost, and `onRestart` says so).

const STOP_GRACE_MS = 2000;

export class KernelSession {
  /** `client`: www/client.js client. `onRestart(reason)` runs after a hard restart,
   *  `onBusy(busy)` whenever the queue starts or stops being busy. */
  constructor(client, { onRestart, onBusy } = {}) {
    this.client = client;
    this.onRestart = onRestart;
    this.onBusy = onBusy;
    this.kernel = null;
    this.flag = null;
    this.queue = [];
    this.current = null; // {job, stopTimer}
    this.started = null;
  }

  /** Creates the kernel (once per worker); resolves when cells can run. */
  start() {
    if (!this.started) {
      this.started = (async () => {
        await this.client.ready;
        const { kernel } = await this.client.call('nbCreate', {});
        this.kernel = kernel;
        if (globalThis.crossOriginIsolated && typeof SharedArrayBuffer === 'function') {
          const buffer = new SharedArrayBuffer(4);
          this.flag = new Int32Array(buffer);
          await this.client.call('nbSetInterrupt', { kernel, buffer });
        } else {
          this.flag = null;
        }
      })();
      this.started.catch(() => { this.started = null; });
    }
    return this.started;
  }

  /** Queues `code`; `hooks.onStart()` when it begins. Resolves to {stdout, error, images}, or
   *  rejects (kind 'KernelRestarted' if Stop restarted the worker, 'Cancelled' if dequeued). */
  run(code, hooks = {}) {
    return new Promise((resolve, reject) => {
      this.queue.push({ code, hooks, resolve, reject });
      this.pump();
      this.notify();
    });
  }

  get busy() {
    return this.current !== null || this.queue.length > 0;
  }

  notify() {
    if (this.onBusy) this.onBusy(this.busy);
  }

  async pump() {
    if (this.current || !this.queue.length) return this.notify();
    const job = this.queue.shift();
    this.current = { job, stopTimer: null };
    try {
      await this.start();
      if (this.flag) Atomics.store(this.flag, 0, 0);
      if (job.hooks.onStart) job.hooks.onStart();
      job.resolve(await this.client.call('nbRun', { kernel: this.kernel, code: job.code }));
    } catch (e) {
      job.reject(e);
    } finally {
      clearTimeout(this.current.stopTimer);
      this.current = null;
      this.pump();
    }
  }

  /** Drops every queued cell and stops the running one. */
  stop() {
    const dropped = this.queue.splice(0);
    for (const job of dropped) job.reject(Object.assign(new Error('Cancelled'), { kind: 'Cancelled' }));
    this.notify();
    const cur = this.current;
    if (!cur || cur.stopTimer) return;
    if (this.flag) {
      Atomics.store(this.flag, 0, 1);
      cur.stopTimer = setTimeout(() => {
        if (this.current === cur) this.restart('the cell did not stop in time');
      }, STOP_GRACE_MS);
    } else {
      cur.stopTimer = -1;
      this.restart('this page is not cross-origin isolated, so Stop restarts the worker');
    }
  }

  /** Terminates the worker and starts a fresh kernel (every global is lost). */
  restart(reason) {
    this.kernel = null;
    this.started = null;
    this.client.restart(reason);
    if (this.onRestart) this.onRestart(reason);
    return this.start();
  }

  /** Forgets every global (the queue is stopped first). */
  async reset() {
    this.stop();
    await this.start();
    await this.client.call('nbReset', { kernel: this.kernel });
  }
}

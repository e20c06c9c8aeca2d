// Events between the figures of one page that share a worker client. The trainer announces
// what happened to the model in the worker's training session; views of that model (the
// evaluation) follow it. One bus per client: embedded pages with their own worker never hear
// another page's trainer. Only small facts travel here; every number still comes from the worker.
//
// 'training' detail: {kind, step, epoch}, kind one of
//   ready    — the trainer loaded its data (a fresh model, or a restored checkpoint: step > 0)
//   reset    — Start made a fresh model (untrained)
//   epoch    — an epoch ended (its test accuracy was just measured)
//   paused | stopped — training stopped after a chunk (checkpoint saved)
//   done     — the last epoch ended
//   imported — weights were imported from a .safetensors file

const buses = new WeakMap();

function bus(client) {
  let b = buses.get(client);
  if (!b) {
    b = new EventTarget();
    buses.set(client, b);
  }
  return b;
}

/** Tells the page's other figures about the training session: `detail` as above. */
export function announceTraining(client, detail) {
  bus(client).dispatchEvent(new CustomEvent('training', { detail }));
}

/** Calls `fn(detail)` for every announcement; returns a function that stops listening. */
export function onTraining(client, fn) {
  const handler = (e) => fn(e.detail);
  bus(client).addEventListener('training', handler);
  return () => bus(client).removeEventListener('training', handler);
}

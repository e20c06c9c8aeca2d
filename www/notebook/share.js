// Share links: the edited cells of a lesson in the URL hash, `#cells=<base64url of
// deflate-raw(JSON {<index>: text})>`. Nothing leaves the browser until the link is shared.

function toBase64url(bytes) {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64url(s) {
  const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

async function pipe(bytes, stream) {
  const out = new Response(new Blob([bytes]).stream().pipeThrough(stream));
  return new Uint8Array(await out.arrayBuffer());
}

/** `cells` ({<index>: text}) -> the hash string (with '#'). */
export async function encodeCells(cells) {
  const json = new TextEncoder().encode(JSON.stringify(cells));
  return `#cells=${toBase64url(await pipe(json, new CompressionStream('deflate-raw')))}`;
}

/** A location hash -> {<index>: text}, or null if it holds no cells; throws on a damaged link. */
export async function decodeCells(hash) {
  const m = /^#cells=([A-Za-z0-9_-]+)$/.exec(hash || '');
  if (!m) return null;
  const json = await pipe(fromBase64url(m[1]), new DecompressionStream('deflate-raw'));
  const cells = JSON.parse(new TextDecoder().decode(json));
  if (!cells || typeof cells !== 'object' || Array.isArray(cells)) throw new Error('the shared cells are not an object');
  const out = {};
  for (const [k, v] of Object.entries(cells)) {
    if (/^\d+$/.test(k) && typeof v === 'string') out[k] = v;
  }
  return out;
}

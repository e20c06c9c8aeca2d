// A stride-1 `Conv2DBackpropFilter` kernel for TF.js's wasm backend, which ships none (so
// training any conv net on it fails as shipped). Built only from the backend's own Transpose
// and Conv2D kernels, so TF.js is measured with its own compute:
//
//   x  [N, H, W, Ci] (NHWC), dy [N, Ho, Wo, Co], result dW [kh, kw, Ci, Co]
//   dW[a, b, ci, co] = sum_{n,i,j} x[n, i + a - padTop, j + b - padLeft, ci] * dy[n, i, j, co]
// which is a stride-1 convolution of x' = transpose(x, [3,1,2,0])   [Ci, H, W, N]
// with the "filter" dy' = transpose(dy, [1,2,0,3])                   [Ho, Wo, N, Co]
// padded (padTop, padBottom', padLeft, padRight') so that its output is [Ci, kh, kw, Co];
// then dW = transpose(that, [1,2,0,3]).
// Only strides 1, dilations 1 and NHWC are handled; anything else throws, naming the kernel.

export const NOTE = 'TF.js wasm has no Conv2DBackpropFilter kernel; the benchmark registers a stride-1 one built from the wasm backend\'s own Transpose and Conv2D kernels (www/bench/tfjs-conv2d-backprop-filter.js)';

export function registerConv2DBackpropFilterWasm(tf) {
  if (tf.getKernel('Conv2DBackpropFilter', 'wasm')) return false;
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, dy } = inputs;
      const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs;
      const info = tf.backend_util.computeConv2DInfo(x.shape, filterShape, strides, 1, pad,
        dimRoundingMode, false, tf.backend_util.convertConv2DDataFormat(dataFormat));
      if (info.dataFormat !== 'channelsLast') throw new Error('Conv2DBackpropFilter (benchmark): only NHWC is supported');
      if (info.strideHeight !== 1 || info.strideWidth !== 1) throw new Error('Conv2DBackpropFilter (benchmark): only stride 1 is supported');
      const transpose = tf.getKernel('Transpose', 'wasm').kernelFunc;
      const conv2d = tf.getKernel('Conv2D', 'wasm').kernelFunc;
      const [kh, kw] = filterShape;
      const [, h, w] = x.shape;
      const [, ho, wo] = dy.shape;
      const { top, left } = info.padInfo;
      // Output height of the inner conv: h + top + bottom - ho + 1 = kh.
      const bottom = kh - 1 + ho - h - top;
      const right = kw - 1 + wo - w - left;
      const xT = transpose({ inputs: { x }, backend, attrs: { perm: [3, 1, 2, 0] } });
      const dyT = transpose({ inputs: { x: dy }, backend, attrs: { perm: [1, 2, 0, 3] } });
      const conv = conv2d({
        inputs: { x: xT, filter: dyT },
        backend,
        attrs: { strides: [1, 1], pad: [[0, 0], [top, bottom], [left, right], [0, 0]],
          dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: undefined },
      });
      const out = transpose({ inputs: { x: conv }, backend, attrs: { perm: [1, 2, 0, 3] } });
      backend.disposeData(xT.dataId);
      backend.disposeData(dyT.dataId);
      backend.disposeData(conv.dataId);
      return out;
    },
  });
  return true;
}

/** Checks the registered kernel against a plain-JS reference on a small case (pad 2, 5x5).
 * Returns the largest absolute difference. */
export async function checkConv2DBackpropFilter(tf) {
  const [n, h, w, ci, co, k, p] = [2, 6, 5, 3, 4, 5, 2];
  const xs = Float32Array.from({ length: n * h * w * ci }, (_, i) => Math.sin(i * 0.37));
  const dys = Float32Array.from({ length: n * h * w * co }, (_, i) => Math.cos(i * 0.11));
  // d/dW sum(conv2d(x, W) * dy) = Conv2DBackpropFilter(x, dy): goes through the kernel.
  const got = tf.tidy(() => {
    const x = tf.tensor4d(xs, [n, h, w, ci]);
    const dy = tf.tensor4d(dys, [n, h, w, co]);
    return tf.grad((f) => tf.sum(tf.mul(tf.conv2d(x, f, 1, p), dy)))(tf.zeros([k, k, ci, co]));
  });
  const g = await got.data();
  got.dispose();
  let worst = 0;
  for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) for (let c = 0; c < ci; c++) for (let o = 0; o < co; o++) {
    let s = 0;
    for (let b0 = 0; b0 < n; b0++) for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) {
      const y = i + a - p;
      const xx = j + b - p;
      if (y < 0 || y >= h || xx < 0 || xx >= w) continue;
      s += xs[((b0 * h + y) * w + xx) * ci + c] * dys[((b0 * h + i) * w + j) * co + o];
    }
    worst = Math.max(worst, Math.abs(s - g[((a * k + b) * ci + c) * co + o]));
  }
  return worst;
}

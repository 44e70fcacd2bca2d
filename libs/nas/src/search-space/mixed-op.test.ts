import * as tf from '@tensorflow/tfjs-core';
import { loadTorchAddon } from '../backend/torch/native';
import { selectBackend, type BackendName } from '../backend/select';
import { Params } from '../layers/params';
import { MixedOp } from './mixed-op';
import { TEMPORAL_OPS } from '../operations';

/** Output and gradients (input, alphas, every weight) of one temporal mixed edge on a backend. */
async function run(backend: BackendName, stride: number, oneHot?: number): Promise<Float32Array[]> {
  await selectBackend({ backend, log: null });
  const p = new Params(3);
  const op = new MixedOp(p, TEMPORAL_OPS, 4, stride);
  const out = tf.tidy(() => {
    const x = tf.randomNormal([2, 3, 6, 6, 4], 0, 1, 'float32', 7) as tf.Tensor5D;
    const alpha = oneHot === undefined ? tf.randomNormal([8], 0, 1, 'float32', 8) : tf.mul(tf.oneHot(oneHot, 8), 50);
    const vars = p.trainable();
    const r = tf.randomNormal([2, 3, 6 / stride, 6 / stride, 4], 0, 1, 'float32', 9);
    const f = () => tf.sum(tf.mul(op.forward(x, tf.softmax(alpha) as tf.Tensor1D, { training: true, updateStats: false }), r)) as tf.Scalar;
    const { grads } = tf.engine().gradients(f, [x, alpha, ...vars], undefined, true);
    const y = op.forward(x, tf.softmax(alpha) as tf.Tensor1D, { training: true, updateStats: false });
    return [y, ...grads.map((g, i) => g ?? tf.zerosLike([x, alpha, ...vars][i]))].map((t) => t.dataSync() as Float32Array);
  });
  p.dispose();
  return out;
}

function maxRel(a: Float32Array[], b: Float32Array[]): number {
  let worst = 0;
  a.forEach((t, i) => {
    let scale = 1e-3;
    for (let k = 0; k < t.length; k++) scale = Math.max(scale, Math.abs(t[k]));
    for (let k = 0; k < t.length; k++) worst = Math.max(worst, Math.abs(t[k] - b[i][k]) / scale);
  });
  return worst;
}

const fast: BackendName[] = loadTorchAddon().ok ? ['torch', 'wasm'] : ['wasm'];

describe('a temporal mixed edge (all 8 ops) agrees between cpu and the fast paths', () => {
  afterAll(async () => {
    await selectBackend({ backend: 'cpu', log: null });
  });
  it.each([1, 2])('stride %i: output and every gradient', async (stride) => {
    const ref = await run('cpu', stride);
    for (const b of fast) expect([b, maxRel(await run(b, stride), ref) < 1e-4]).toEqual([b, true]);
  });

  it('with one-hot alphas the edge equals the chosen op alone', async () => {
    await selectBackend({ backend: fast[0], log: null });
    const p = new Params(3);
    const op = new MixedOp(p, TEMPORAL_OPS, 4, 1);
    const q = new Params(3); // same seed and names: the same weights
    const single = new MixedOp(q, ['sep_conv_1x3x3'], 4, 1);
    tf.tidy(() => {
      const x = tf.randomNormal([2, 3, 6, 6, 4], 0, 1, 'float32', 7) as tf.Tensor5D;
      const ctx = { training: true, updateStats: false };
      const y = op.forward(x, tf.oneHot(4, 8).asType('float32') as tf.Tensor1D, ctx);
      const z = single.forward(x, tf.ones([1]) as tf.Tensor1D, ctx);
      expect(tf.max(tf.abs(tf.sub(y, z))).dataSync()[0]).toBeLessThan(1e-6);
    });
    p.dispose();
    q.dispose();
  });
});

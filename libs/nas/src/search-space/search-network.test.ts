import * as tf from '@tensorflow/tfjs-core';
import { loadTorchAddon } from '../backend/torch/native';
import { selectBackend } from '../backend/select';
import { lossAndGradients, SearchNetwork } from './search-network';

const BACKEND = loadTorchAddon().ok ? 'torch' : 'wasm';

describe(`search network on ${BACKEND}`, () => {
  beforeAll(async () => {
    await selectBackend({ backend: BACKEND, log: null });
  });

  const tiny = { channels: 4, classes: 3, stemStride: 2, dropout: 0, seed: 1 };
  const batch = () => ({ x: tf.randomNormal([2, 2, 16, 16, 3], 0, 1, 'float32', 5) as tf.Tensor5D, labels: tf.tensor1d([0, 2], 'int32') });

  it('maps [N, T, H, W, 3] to logits, with reduction cells halving space and doubling channels', () => {
    const net = new SearchNetwork(tiny);
    const { x } = batch();
    const logits = net.forward(x, { training: true, updateStats: false });
    expect(logits.shape).toEqual([2, 3]);
    expect(net.alphaList().map((a) => a.shape)).toEqual([
      [14, 6],
      [14, 6],
      [14, 8],
      [14, 8],
    ]);
    tf.dispose([x, logits]);
    net.dispose();
  });

  it('checkpointed gradients equal the plain ones, for weights and alphas', () => {
    const net = new SearchNetwork(tiny);
    const { x, labels } = batch();
    const vars = [...net.weights(), ...net.alphaList()];
    const plain = lossAndGradients(net, x, labels, vars, { recompute: false });
    const ckpt = lossAndGradients(net, x, labels, vars, { recompute: true });
    expect(ckpt.loss.dataSync()[0]).toBeCloseTo(plain.loss.dataSync()[0], 5);
    expect(ckpt.correct.dataSync()[0]).toBe(plain.correct.dataSync()[0]);
    let worst = 0;
    plain.grads.forEach((g, i) => {
      const a = g.dataSync(),
        b = ckpt.grads[i].dataSync();
      let scale = 1e-6;
      for (let k = 0; k < a.length; k++) scale = Math.max(scale, Math.abs(a[k]));
      for (let k = 0; k < a.length; k++) worst = Math.max(worst, Math.abs(a[k] - b[k]) / scale);
    });
    expect(worst).toBeLessThan(1e-4);
    // the alphas do receive gradients
    const alphaGrad = plain.grads.slice(-4).map((g) => tf.sum(tf.abs(g)).dataSync()[0]);
    expect(alphaGrad.every((s) => s > 0)).toBe(true);
    tf.dispose([...plain.grads, ...ckpt.grads, plain.loss, plain.correct, ckpt.loss, ckpt.correct, x, labels]);
    net.dispose();
  });

  it('keeps tf.memory().numTensors flat over checkpointed steps', () => {
    const net = new SearchNetwork(tiny);
    const { x, labels } = batch();
    const vars = net.weights();
    const counts: number[] = [];
    for (let step = 0; step < 3; step++) {
      const { grads, loss, correct } = lossAndGradients(net, x, labels, vars, { recompute: true });
      tf.tidy(() => vars.forEach((v, i) => v.assign(tf.sub(v, tf.mul(0.01, grads[i])))));
      tf.dispose([...grads, loss, correct]);
      counts.push(tf.memory().numTensors);
    }
    expect(new Set(counts.slice(1)).size).toBe(1);
    tf.dispose([x, labels]);
    net.dispose();
  });
});

describe('alpha snapshots', () => {
  it('round-trip through an alphas file and derive', async () => {
    const { alphasOf, loadAlphasInto } = await import('./alphas-io');
    const { alphasSchema } = await import('./genotype');
    const { deriveGenotype } = await import('./derive');
    const a = new SearchNetwork({ channels: 2, classes: 2, stemStride: 2, dropout: 0, seed: 11 });
    const b = new SearchNetwork({ channels: 2, classes: 2, stemStride: 2, dropout: 0, seed: 12 });
    const snap = alphasSchema.parse(alphasOf(a, { run: 'x', epoch: 2 }));
    loadAlphasInto(b, snap);
    expect(alphasOf(b, { run: 'x', epoch: 2 })).toEqual(snap);
    expect(deriveGenotype(snap).cells.temporal_reduce.edges).toHaveLength(8);
    a.dispose();
    b.dispose();
  });
});

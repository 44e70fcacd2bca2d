/** The sampling strategy (GDAS): one drawn path a step, the straight-through gate, and the memory it saves. */
import * as tf from '@tensorflow/tfjs-core';
import { loadTorchAddon } from '../backend/torch/native';
import { selectBackend } from '../backend/select';
import { CELL_TYPES } from '../search-space/cell-types';
import { SearchNetwork } from '../search-space/search-network';
import { Adam, Sgd } from '../train/optimizers';
import { searchStep } from './one-level';
import { gumbelTau, samplePath, samplingStep } from './sampling';

const tiny = (seed = 2) => new SearchNetwork({ channels: 4, classes: 3, stemStride: 2, dropout: 0, seed });
const optimisers = () => ({
  alphaOpt: new Adam({ lr: 3e-3, beta1: 0, beta2: 0.999, eps: 1e-8, weightDecay: 0 }),
  weightOpt: new Sgd({ lr: 0.05, momentum: 0.9, weightDecay: 1e-4 }),
});

describe('sampling strategy', () => {
  beforeAll(async () => {
    await selectBackend({ backend: loadTorchAddon().ok ? 'torch' : 'wasm', log: null });
  });

  it('anneals tau linearly from tauMax to tauMin over the search', () => {
    const c = { tauMax: 10, tauMin: 0.1 };
    expect(gumbelTau(c, 0, 50)).toBe(10);
    expect(gumbelTau(c, 25, 50)).toBeCloseTo(5.05, 12);
    expect(gumbelTau(c, 50, 50)).toBeCloseTo(0.1, 12);
  });

  it('draws the same path from the same seed, a path that follows the alphas, with gates of 1 and the softmax gradient', () => {
    const net = tiny();
    const a = samplePath(net, 7, 1);
    const b = samplePath(net, 7, 1);
    expect(b.path.ops).toEqual(a.path.ops);
    // an alpha row far ahead for one op draws that op whatever the noise
    const alpha = net.alphas.spatial_normal;
    alpha.assign(tf.tidy(() => tf.add(tf.zerosLike(alpha), tf.oneHot(tf.fill([14], 3, 'int32') as tf.Tensor1D, alpha.shape[1] as number, 50, 0))));
    const c = samplePath(net, 8, 1);
    expect(c.path.ops.spatial_normal).toEqual(new Array(14).fill(3));
    // gates are 1 in value; their gradient is the drawn op's softmax gradient, p_c (delta_ck - p_k) / tau
    const other = net.alphas.temporal_normal as tf.Variable;
    const tau = 2;
    const d = samplePath(net, 9, tau);
    const gates = d.path.gates('temporal_normal', other);
    expect(Math.max(...Array.from(gates.dataSync()).map((g) => Math.abs(g - 1)))).toBeLessThan(1e-6);
    const grad = tf.grad((al: tf.Tensor) => tf.sum(d.path.gates('temporal_normal', al)))(other);
    // without the noise the probabilities are unknown here; check the row structure instead: each row sums to 0 (a
    // softmax's gradient) and is largest at the drawn op
    const rows = grad.arraySync() as number[][];
    rows.forEach((row, e) => {
      expect(Math.abs(row.reduce((s, v) => s + v, 0))).toBeLessThan(1e-6);
      expect(row.indexOf(Math.max(...row))).toBe(d.path.ops.temporal_normal[e]);
    });
    tf.dispose([gates, grad]);
    [a, b, c, d].forEach((x) => x.dispose());
    net.dispose();
  });

  it("a step moves the alphas and only the drawn ops' weights, lowers the loss on a fixed batch, and leaks nothing", () => {
    const net = tiny();
    const x = tf.randomNormal([3, 4, 16, 16, 3], 0, 1, 'float32', 3) as tf.Tensor5D;
    const labels = tf.tensor1d([0, 1, 2], 'int32');
    const { alphaOpt, weightOpt } = optimisers();
    const before = new Map(net.weights().map((v) => [v, Float32Array.from(v.dataSync())]));
    const a0 = net.alphaList().map((v) => Float32Array.from(v.dataSync()));
    const { path, dispose } = samplePath(net, 11, 1);
    const used = new Set(net.pathWeights(path));
    dispose();
    const r = samplingStep(net, x, labels, alphaOpt, weightOpt, { tau: 1, pathSeed: 11, recompute: false });
    expect(Number.isFinite(r.weightLoss)).toBe(true);
    const moved = [...before].filter(([v, w]) => v.dataSync().some((y, k) => y !== w[k])).map(([v]) => v);
    expect(moved.length).toBeGreaterThan(0);
    expect(moved.every((v) => used.has(v))).toBe(true); // the other ops' weights do not move: no gradient, no decay
    expect(used.size).toBeLessThan(net.weights().length / 2);
    expect(net.alphaList().filter((v, i) => v.dataSync().some((y, k) => y !== a0[i][k])).length).toBe(CELL_TYPES.length);
    // on a fixed batch and a fixed path the loss falls; the tensor count stays flat step after step
    const losses: number[] = [];
    const counts: number[] = [];
    for (let s = 0; s < 4; s++) {
      losses.push(samplingStep(net, x, labels, alphaOpt, weightOpt, { tau: 1, pathSeed: 11, recompute: s % 2 === 1 }).weightLoss);
      counts.push(tf.memory().numTensors);
    }
    expect(losses[3]).toBeLessThan(losses[0]);
    expect(counts[3]).toBe(counts[1]);
    alphaOpt.dispose();
    weightOpt.dispose();
    net.dispose();
    tf.dispose([x, labels]);
  });

  it('holds well under half the memory of a darts step at the same size (peak bytes of live tensors in a step)', async () => {
    type Step = (net: SearchNetwork, x: tf.Tensor5D, y: tf.Tensor1D, o: ReturnType<typeof optimisers>) => unknown;
    const peak = async (step: Step): Promise<number> => {
      const net = new SearchNetwork({ channels: 8, classes: 5, stemStride: 2, dropout: 0, seed: 4 });
      const x = tf.randomNormal([2, 4, 32, 32, 3], 0, 1, 'float32', 5) as tf.Tensor5D;
      const y = tf.tensor1d([0, 1], 'int32');
      const o = optimisers();
      step(net, x, y, o); // the optimisers' state exists from here on
      const base = tf.memory().numBytes;
      const info = await tf.profile(() => {
        step(net, x, y, o);
      });
      o.alphaOpt.dispose();
      o.weightOpt.dispose();
      net.dispose();
      tf.dispose([x, y]);
      return info.peakBytes - base;
    };
    const darts = await peak((net, x, y, o) => searchStep(net, x, y, o.alphaOpt, o.weightOpt, { mode: 'simultaneous', recompute: false }));
    const sampling = await peak((net, x, y, o) => samplingStep(net, x, y, o.alphaOpt, o.weightOpt, { tau: 1, pathSeed: 3, recompute: false }));
    expect(darts).toBeGreaterThan(0);
    expect(sampling).toBeLessThan(darts * 0.5);
  });
});

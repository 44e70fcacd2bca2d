import * as tf from '@tensorflow/tfjs-core';
import { loadTorchAddon } from '../backend/torch/native';
import { selectBackend } from '../backend/select';
import { SearchNetwork } from '../search-space/search-network';
import { learningRate, lrScheduleSchema } from '../train/lr-schedule';
import { Adam, clipGlobalNorm, Sgd } from '../train/optimizers';
import { searchStep } from './one-level';

describe('learning-rate schedules', () => {
  it('step: x0.1 every 20 epochs (the paper); cosine: 0.1 -> 1e-4 as torch; constant', () => {
    const step = lrScheduleSchema.parse({});
    expect([0, 19, 20, 39, 40, 79].map((e) => +learningRate(step, e, 80).toPrecision(6))).toEqual([0.1, 0.1, 0.01, 0.01, 0.001, 0.0001]);
    const cos = lrScheduleSchema.parse({ kind: 'cosine' });
    expect(learningRate(cos, 0, 80)).toBeCloseTo(0.1, 12);
    expect(learningRate(cos, 40, 80)).toBeCloseTo((0.1 + 1e-4) / 2, 12);
    expect(learningRate(cos, 80, 80)).toBeCloseTo(1e-4, 12);
    expect(learningRate(lrScheduleSchema.parse({ kind: 'constant', initial: 0.05 }), 70, 80)).toBe(0.05);
    expect(() => lrScheduleSchema.parse({ kind: 'linear' })).toThrow();
    // PySlowFast's warm-up: linear from warmupStart to the cosine value at the warm-up's end, then cosine
    const warm = lrScheduleSchema.parse({ kind: 'cosine', initial: 0.1, minimum: 0, warmupEpochs: 36, warmupStart: 0.01 });
    const atEnd = 0.05 * (1 + Math.cos((Math.PI * 36) / 196));
    expect(learningRate(warm, 0, 196)).toBeCloseTo(0.01, 12);
    expect(learningRate(warm, 18, 196)).toBeCloseTo(0.01 + (atEnd - 0.01) / 2, 12);
    expect(learningRate(warm, 36, 196)).toBeCloseTo(atEnd, 12);
    expect(learningRate(warm, 100.5, 196)).toBeCloseTo(0.05 * (1 + Math.cos((Math.PI * 100.5) / 196)), 12);
  });
});

describe('optimisers follow PyTorch', () => {
  beforeAll(async () => {
    await selectBackend({ backend: 'cpu', log: null });
  });

  it('SGD: momentum buffer starts as the gradient; L2 decay added to it', () => {
    const w = tf.variable(tf.tensor1d([1, -2]));
    const opt = new Sgd({ lr: 0.1, momentum: 0.9, weightDecay: 0.01 });
    opt.step([w], [tf.tensor1d([0.5, 0.5])]);
    // g = 0.5 + 0.01 w = [0.51, 0.48]; buf = g; w -= 0.1 buf
    expect(Array.from(w.dataSync())).toEqual([1 - 0.051, -2 - 0.048].map((v) => Math.fround(v)));
    opt.step([w], [tf.tensor1d([0, 0])]);
    const w1 = [1 - 0.051, -2 - 0.048];
    const g2 = w1.map((v) => 0.01 * v);
    const buf2 = [0.9 * 0.51 + g2[0], 0.9 * 0.48 + g2[1]];
    expect(Array.from(w.dataSync()).map((v, i) => Math.abs(v - (w1[i] - 0.1 * buf2[i])) < 1e-6)).toEqual([true, true]);
  });

  it('Adam with betas (0, 0.999): bias-corrected step of size lr * g / |g| at first', () => {
    const a = tf.variable(tf.tensor1d([0.3, -0.7]));
    const opt = new Adam({ lr: 1e-3, beta1: 0, beta2: 0.999, eps: 1e-8, weightDecay: 0 });
    opt.step([a], [tf.tensor1d([2, -0.5])]);
    const got = Array.from(a.dataSync());
    expect(got[0]).toBeCloseTo(0.3 - 1e-3, 6);
    expect(got[1]).toBeCloseTo(-0.7 + 1e-3, 6);
  });

  it('global-norm clipping scales every gradient by the same factor', () => {
    const { grads, norm } = clipGlobalNorm([tf.tensor1d([3, 0]), tf.tensor1d([0, 4])], 1);
    expect(norm.dataSync()[0]).toBeCloseTo(5, 6);
    expect(Array.from(grads[0].dataSync())[0]).toBeCloseTo(0.6, 5);
    expect(Array.from(grads[1].dataSync())[1]).toBeCloseTo(0.8, 5);
    // under the limit the gradients keep their values
    const under = clipGlobalNorm([tf.tensor1d([0.3, 0.4])], 1);
    expect(Array.from(under.grads[0].dataSync())).toEqual([expect.closeTo(0.3, 6), expect.closeTo(0.4, 6)]);
    tf.dispose([...grads, norm, ...under.grads, under.norm]);
  });
});

describe('one-level search steps on a tiny network', () => {
  it('change weights and alphas, lower the loss on a fixed batch, and keep the tensor count flat', async () => {
    await selectBackend({ backend: loadTorchAddon().ok ? 'torch' : 'wasm', log: null });
    const net = new SearchNetwork({ channels: 4, classes: 3, stemStride: 2, dropout: 0, seed: 2 });
    const x = tf.randomNormal([3, 4, 16, 16, 3], 0, 1, 'float32', 3) as tf.Tensor5D;
    const labels = tf.tensor1d([0, 1, 2], 'int32');
    const snapshot = (vs: tf.Variable[]) => vs.map((v) => Float32Array.from(v.dataSync()));
    const w0 = snapshot(net.weights()),
      a0 = snapshot(net.alphaList());
    const alphaOpt = new Adam({ lr: 1e-3, beta1: 0, beta2: 0.999, eps: 1e-8, weightDecay: 0 });
    const weightOpt = new Sgd({ lr: 0.05, momentum: 0.9, weightDecay: 1e-4 });
    const counts: number[] = [];
    const losses: number[] = [];
    for (let s = 0; s < 3; s++) {
      losses.push(searchStep(net, x, labels, alphaOpt, weightOpt, { mode: 'alternating', recompute: s % 2 === 1, gradClip: 5 }).weightLoss);
      counts.push(tf.memory().numTensors);
    }
    const moved = (before: Float32Array[], vs: tf.Variable[]) => vs.filter((v, i) => v.dataSync().some((x, k) => x !== before[i][k])).length;
    expect(moved(a0, net.alphaList())).toBe(4);
    expect(moved(w0, net.weights())).toBeGreaterThan(net.weights().length * 0.9);
    expect(losses[2]).toBeLessThan(losses[0]);
    expect(counts[2]).toBe(counts[1]);
    alphaOpt.dispose();
    weightOpt.dispose();
    net.dispose();
    tf.dispose([x, labels]);
  });
});

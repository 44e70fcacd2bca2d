import * as tf from '@tensorflow/tfjs-core';
import { loadTorchAddon } from '../backend/torch/native';
import { countMacs } from '../backend/ops/mac-counter';
import { selectBackend } from '../backend/select';
import { deriveGenotype } from '../search-space/derive';
import type { Alphas } from '../search-space/genotype';
import { networkCost } from './cost';
import { DerivedNetwork, dropPathProb } from './derived-network';
import { defaultLayout, PRESETS } from './layout';
import { randomGenotype } from '../search-space/random-arch';
import { SPATIAL_OPS, TEMPORAL_OPS } from '../operations';

/** Alphas whose genotype uses every op kind somewhere, strided and not. */
function richAlphas(): Alphas {
  const rows = (n: number, seed: number) => Array.from({ length: 14 }, (_, i) => Array.from({ length: n }, (_, k) => Math.sin(seed * 13 + i * 7 + k * 3)));
  return {
    ops: { spatial: [...SPATIAL_OPS], temporal: [...TEMPORAL_OPS] } as never,
    spatial_normal: rows(6, 1),
    spatial_reduce: rows(6, 2),
    temporal_normal: rows(8, 3),
    temporal_reduce: rows(8, 4),
  };
}

describe('derived network', () => {
  beforeAll(async () => {
    await selectBackend({ backend: loadTorchAddon().ok ? 'torch' : 'wasm', log: null });
  });
  const genotype = deriveGenotype(richAlphas());

  it.each([
    [1, 2, 1],
    [2, 2, 1],
    [1, 4, 1],
    [1, 4, 2],
    [2, 2, 2],
  ])('K=%i, stem stride %i, T-RC temporal stride %i: clips to logits, measured MACs and params equal the closed form', (K, stemStride, temporalStride) => {
    const layout = defaultLayout(K);
    expect(layout).toHaveLength(K === 1 ? 7 : 11);
    const config = { channels: 4, classes: 5, layout, stemStride, dropout: 0.4, seed: 1, temporalStride };
    const net = new DerivedNetwork(genotype, config);
    const { result, macs } = countMacs(() =>
      tf.tidy(() => net.forward(tf.randomNormal([1, 5, 24, 24, 3]) as tf.Tensor5D, { training: false, updateStats: false }).shape),
    );
    expect(result).toEqual([1, 5]);
    const closed = networkCost(genotype, { ...config, frames: 5, size: 24 });
    expect(macs).toBe(closed.macs);
    const params = net.params
      .list()
      .filter((p) => p.trainable)
      .reduce((s, p) => s + p.variable.size, 0);
    expect(params).toBe(closed.params);
    net.dispose();
  });

  it('a T-RC temporal stride of 2 halves the frames of the cells after it (ceil), and training still gets gradients', () => {
    const net = new DerivedNetwork(genotype, { channels: 4, classes: 3, layout: defaultLayout(1), stemStride: 2, dropout: 0, seed: 3, temporalStride: 2 });
    const frames: number[] = [];
    const cells = net.cells.map((c) => c.forward.bind(c));
    net.cells.forEach((c, i) => {
      c.forward = (s0, s1, ctx, drop) => {
        const y = cells[i](s0, s1, ctx, drop);
        frames.push(y.shape[1]);
        return y;
      };
    });
    const x = tf.randomNormal([2, 5, 16, 16, 3], 0, 1, 'float32', 5) as tf.Tensor5D;
    const { value, grads } = tf.variableGrads(() => tf.sum(net.forward(x, { training: true, updateStats: false })) as tf.Scalar);
    // S-NC, S-RC, S-NC, S-RC, T-NC, T-RC, T-NC: 5 frames until T-RC, then 3
    expect(frames).toEqual([5, 5, 5, 5, 5, 3, 3]);
    const finite = Object.values(grads).every((g) => Number.isFinite(tf.sum(tf.abs(g)).dataSync()[0]));
    expect(finite).toBe(true);
    tf.dispose([x, value, ...Object.values(grads)]);
    net.dispose();
  });

  it('drop-path and dropout act in training only; eval is deterministic', () => {
    const net = new DerivedNetwork(genotype, { channels: 4, classes: 3, layout: defaultLayout(1), stemStride: 2, dropout: 0.4, seed: 2 });
    tf.tidy(() => {
      const x = tf.randomNormal([2, 4, 16, 16, 3], 0, 1, 'float32', 4) as tf.Tensor5D;
      const evalA = net.forward(x, { training: false, updateStats: false }, { prob: 0.5, seed: 1 });
      const evalB = net.forward(x, { training: false, updateStats: false }, { prob: 0.5, seed: 2 });
      expect(tf.max(tf.abs(tf.sub(evalA, evalB))).dataSync()[0]).toBe(0);
      const trainA = net.forward(x, { training: true, updateStats: false }, { prob: 0.5, seed: 1 });
      const trainB = net.forward(x, { training: true, updateStats: false }, { prob: 0.5, seed: 2 });
      const trainA2 = net.forward(x, { training: true, updateStats: false }, { prob: 0.5, seed: 1 });
      expect(tf.max(tf.abs(tf.sub(trainA, trainB))).dataSync()[0]).toBeGreaterThan(0);
      expect(tf.max(tf.abs(tf.sub(trainA, trainA2))).dataSync()[0]).toBe(0);
    });
    expect(dropPathProb(0.2, 0, 100)).toBe(0);
    expect(dropPathProb(0.2, 50, 100)).toBeCloseTo(0.1, 12);
    net.dispose();
  });
});

describe("PV-NAS-L and -M at 8x224x224 with the /4 stem are in the paper's regime", () => {
  // paper Tab. 4/5: L 19.65 M parameters, 22.14 GFLOPs; M 77.15 M, 82.11 GFLOPs (400 classes)
  const paper = { L: { params: 19.65e6, macs: 22.14e9 }, M: { params: 77.15e6, macs: 82.11e9 } };
  it.each([1, 2, 3, 4, 5])('random genotype %i (>= 4 convolutions a cell): within 0.6-1.4x of the paper; stride 2 would cost > 2.5x', (seed) => {
    const g = randomGenotype(seed);
    for (const [name, preset] of Object.entries(PRESETS) as Array<['L' | 'M', (typeof PRESETS)['L' | 'M']]>) {
      const shape = { channels: preset.channels, classes: 400, layout: defaultLayout(preset.repeats), frames: 8, size: 224 };
      const c = networkCost(g, { ...shape, stemStride: 4 });
      expect(c.macs / paper[name].macs).toBeGreaterThan(0.6);
      expect(c.macs / paper[name].macs).toBeLessThan(1.4);
      expect(c.params / paper[name].params).toBeGreaterThan(0.6);
      expect(c.params / paper[name].params).toBeLessThan(1.4);
      expect(networkCost(g, { ...shape, stemStride: 2 }).macs / paper[name].macs).toBeGreaterThan(2.5);
    }
  });
});

describe('saving and loading a derived network', () => {
  it('gives identical eval outputs (weights, BN statistics, genotype, config)', async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const { saveDerived, loadDerived } = await import('./model-file');
    const genotype = deriveGenotype(richAlphas());
    const net = new DerivedNetwork(genotype, { channels: 4, classes: 3, layout: defaultLayout(1), stemStride: 2, dropout: 0.4, seed: 5 });
    const x = tf.randomNormal([2, 4, 16, 16, 3], 0, 1, 'float32', 6) as tf.Tensor5D;
    tf.tidy(() => net.forward(x, { training: true, updateStats: true })); // moves the running statistics
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pvnas-model-'));
    try {
      await saveDerived(net, dir);
      const back = loadDerived(dir);
      const a = tf.tidy(() => net.forward(x, { training: false, updateStats: false }).dataSync());
      const b = tf.tidy(() => back.forward(x, { training: false, updateStats: false }).dataSync());
      expect(Array.from(b)).toEqual(Array.from(a));
      expect(back.genotype).toEqual(genotype);
      back.dispose();
      fs.writeFileSync(path.join(dir, 'weights.bin'), Buffer.alloc(16));
      expect(() => loadDerived(dir)).toThrow();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      net.dispose();
      x.dispose();
    }
  });
});

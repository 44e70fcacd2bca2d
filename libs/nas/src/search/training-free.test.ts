/** The training-free indicators on networks whose answers can be worked out by hand, then on a derived network. */
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../backend/select';
import { loadTorchAddon } from '../backend/torch/native';
import { DerivedNetwork } from '../derived/derived-network';
import { relu, TRAIN } from '../layers/context';
import { CELL_TYPES } from '../search-space/cell-types';
import { randomGenotype } from '../search-space/random-arch';
import { combinedRanks, linearRegionCount, ntkConditionNumber, ranks, regionInputs, spearman, symmetricEigenvalues, trainingFreeSchema } from './training-free';

describe('training-free indicators', () => {
  beforeAll(async () => {
    await selectBackend({ backend: loadTorchAddon().ok ? 'torch' : 'wasm', log: null });
  });

  it('eigenvalues of symmetric matrices: 2x2 by hand, and Q diag(1, 2, 5) Qᵀ', () => {
    expect(
      symmetricEigenvalues([
        [2, 1],
        [1, 2],
      ]).map((v) => +v.toFixed(12)),
    ).toEqual([1, 3]);
    // Q: a rotation by 30 degrees about z, then one by 45 degrees about x
    const [c, s, r] = [Math.cos(Math.PI / 6), Math.sin(Math.PI / 6), Math.SQRT1_2];
    const Q = [
      [c, -s * r, s * r],
      [s, c * r, -c * r],
      [0, r, r],
    ];
    const d = [1, 2, 5];
    const A = Q.map((qi) => Q.map((qj) => qi.reduce((sum, v, k) => sum + v * d[k] * qj[k], 0)));
    expect(symmetricEigenvalues(A).map((v) => +v.toFixed(10))).toEqual([1, 2, 5]);
  });

  it('NTK condition number of a linear model f(x) = xW + b: Θ = XXᵀ + 1', () => {
    const W = tf.variable(tf.tensor2d([[0.3], [-0.2]]));
    const b = tf.variable(tf.tensor1d([0.1]));
    const x = tf.tensor2d([
      [1, 0],
      [0, 2],
    ]);
    // Θ = [[1 + 1, 0 + 1], [0 + 1, 4 + 1]] = [[2, 1], [1, 5]]: eigenvalues (7 ± √13) / 2
    const cond = ntkConditionNumber((v) => tf.add(tf.matMul(v as tf.Tensor2D, W), b) as tf.Tensor2D, [W, b], x);
    expect(cond).toBeCloseTo((7 + Math.sqrt(13)) / (7 - Math.sqrt(13)), 5);
    // two identical inputs make Θ singular: no condition number
    const twice = tf.tensor2d([
      [1, 0],
      [1, 0],
    ]);
    expect(ntkConditionNumber((v) => tf.add(tf.matMul(v as tf.Tensor2D, W), b) as tf.Tensor2D, [W, b], twice)).toBe(Infinity);
    tf.dispose([W, b, x, twice]);
  });

  it('linear regions of relu(x w + b) on the line: breakpoints at 0, 1 and 2 make 4 regions', () => {
    const w = tf.tensor2d([[1, 1, 1]]);
    const b = tf.tensor1d([0, -1, -2]);
    const x = tf.tensor2d([[-1], [0.5], [1.5], [2.5], [3], [-2]]);
    // -1 and -2 share (off, off, off); 2.5 and 3 share (on, on, on); 0.5 and 1.5 have regions of their own
    expect(linearRegionCount((ctx) => relu(tf.add(tf.matMul(x, w), b), ctx), 6)).toBe(4);
    expect(linearRegionCount((ctx) => relu(tf.add(tf.matMul(tf.tensor2d([[0.1], [0.2], [0.3]]), w), b), ctx), 3)).toBe(1);
    tf.dispose([w, b, x]);
  });

  it('ranks: ties share the lower rank; the combined rank adds the rank by condition (low first) and by regions (high first)', () => {
    expect(ranks([3, 1, 2, 1], 'ascending')).toEqual([3, 0, 2, 0]);
    expect(ranks([3, 1, 2], 'descending')).toEqual([0, 2, 1]);
    expect(
      combinedRanks([
        { ntkCondition: 10, linearRegions: 5 },
        { ntkCondition: 2, linearRegions: 8 },
        { ntkCondition: Infinity, linearRegions: 8 },
      ]),
    ).toEqual([1 + 2, 0 + 0, 2 + 0]);
  });

  it("Spearman's rank correlation: 1 and -1 for monotone series, ties by mean rank, null for a constant", () => {
    expect(spearman([1, 2, 3, 4], [10, 20, 25, 100])).toBeCloseTo(1, 12);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
    // ranks a = 1, 2, 3, 4 and b = 1, 2.5, 2.5, 4: rho = 4.5 / sqrt(5 x 4.5)
    expect(spearman([1, 2, 3, 4], [5, 7, 7, 9])).toBeCloseTo(4.5 / Math.sqrt(5 * 4.5), 12);
    expect(spearman([1, 2, 3], [2, 2, 2])).toBeNull();
  });

  it('the random inputs of the region count are the same for a seed, 0 included (tfjs reads a seed of 0 as none)', () => {
    const c = trainingFreeSchema.parse({ regionSamples: 4 });
    for (const seed of [0, 5]) {
      const [a, b] = [regionInputs(c, seed), regionInputs(c, seed)];
      expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
      tf.dispose([a, b]);
    }
  });

  it('on a derived network at initialisation: a finite condition number >= 1, regions between 1 and the batch, repeatable, no leak', () => {
    const net = new DerivedNetwork(randomGenotype(3), { channels: 4, classes: 5, stemStride: 2, dropout: 0, seed: 1, layout: [...CELL_TYPES] });
    const x = tf.randomNormal([6, 2, 16, 16, 3], 0, 1, 'float32', 2) as tf.Tensor5D;
    const before = tf.memory().numTensors;
    const params = net.params.trainable();
    const cond = ntkConditionNumber((v) => net.forward(v as tf.Tensor5D, { ...TRAIN, updateStats: false }), params, x);
    const regions = linearRegionCount((ctx) => net.forward(x, ctx), 6);
    expect(Number.isFinite(cond) && cond >= 1).toBe(true);
    expect(regions).toBeGreaterThanOrEqual(1);
    expect(regions).toBeLessThanOrEqual(6);
    expect(ntkConditionNumber((v) => net.forward(v as tf.Tensor5D, { ...TRAIN, updateStats: false }), params, x)).toBeCloseTo(cond, 3);
    expect(linearRegionCount((ctx) => net.forward(x, ctx), 6)).toBe(regions);
    expect(tf.memory().numTensors).toBe(before);
    net.dispose();
    x.dispose();
  });
});

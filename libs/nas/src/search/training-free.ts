/**
 * Training-free indicators (TE-NAS, Chen et al. 2021): an architecture scored at initialisation, on one small batch,
 * with no training.
 *
 *   trainability   the condition number of the empirical neural tangent kernel: Θ = J Jᵀ, where row i of J is the
 *                  gradient of the sum of sample i's logits with respect to every weight; λmax / λmin of Θ. Lower
 *                  trains faster and better (gradient descent's convergence rate goes with 1 / condition number).
 *   expressivity   the number of linear regions the batch falls in: a ReLU network is piecewise linear, and two inputs
 *                  share a region when every ReLU is on or off alike for both; the distinct on/off patterns are
 *                  counted. More distinguishes more.
 * A candidate's combined score is the sum of its ranks by the two (TE-NAS's rank sum); the lowest sum wins.
 *
 * The batch runs in training mode (batch statistics, as TE-NAS does at initialisation), the whole batch per forward
 * (BN couples the samples), one backward pass per sample for J.
 */
import { createHash, type Hash } from 'node:crypto';
import * as tf from '@tensorflow/tfjs-core';
import { gradients } from '../backend/backprop';
import { z } from 'zod';
import { DerivedNetwork, type DerivedNetworkConfig } from '../derived/derived-network';
import type { Ctx } from '../layers/context';
import { CELL_TYPES, type CellType } from '../search-space/cell-types';
import type { Genotype } from '../search-space/genotype';
import { randomGenotype } from '../search-space/random-arch';

/** Eigenvalues (ascending) of a symmetric matrix, by cyclic Jacobi rotations in float64 (for the small Θ here). */
export function symmetricEigenvalues(matrix: readonly (readonly number[])[]): number[] {
  const n = matrix.length;
  const a = matrix.map((row) => Float64Array.from(row));
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p][q] * a[p][q];
    if (off < 1e-30 * Math.max(1, ...a.map((r, i) => r[i] * r[i]))) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        if (a[p][q] === 0) continue;
        const theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const [akp, akq] = [a[k][p], a[k][q]];
          a[k][p] = c * akp - s * akq;
          a[k][q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const [apk, aqk] = [a[p][k], a[q][k]];
          a[p][k] = c * apk - s * aqk;
          a[q][k] = s * apk + c * aqk;
        }
      }
    }
  }
  return a.map((r, i) => r[i]).sort((x, y) => x - y);
}

/**
 * The condition number of the empirical NTK of `logitsOf` at `params` on the batch `x` (λmax / λmin; Infinity when
 * Θ is singular). `logitsOf(x)` -> [N, classes].
 */
export function ntkConditionNumber(logitsOf: (x: tf.Tensor) => tf.Tensor2D, params: tf.Variable[], x: tf.Tensor): number {
  const n = x.shape[0];
  const rows = tf.tidy(() => {
    const perSample: tf.Tensor[] = [];
    for (let i = 0; i < n; i++) {
      const { grads } = gradients(() => tf.sum(tf.slice(logitsOf(x), [i, 0], [1, -1])), params);
      perSample.push(tf.concat(grads.map((g, k) => tf.reshape(g ?? tf.zerosLike(params[k]), [-1]))));
    }
    const J = tf.stack(perSample) as tf.Tensor2D;
    return tf.matMul(J, J, false, true);
  });
  const theta = rows.arraySync() as number[][];
  rows.dispose();
  const eig = symmetricEigenvalues(theta);
  const [min, max] = [eig[0], eig[eig.length - 1]];
  return min > 0 ? max / min : Infinity;
}

/**
 * The number of distinct ReLU on/off patterns among the samples of one forward pass: `run(ctx)` runs the network
 * with the given context, whose `reluTap` sees every ReLU's input ([N, ...]: sample first).
 */
export function linearRegionCount(run: (ctx: Ctx) => void, samples: number, ctx: Ctx = { training: true, updateStats: false }): number {
  const hashes: Hash[] = Array.from({ length: samples }, () => createHash('sha1'));
  const reluTap = (x: tf.Tensor): void => {
    const on = tf.tidy(() => tf.reshape(tf.cast(tf.greater(x, 0), 'int32'), [samples, -1]));
    const bits = on.dataSync();
    on.dispose();
    const per = bits.length / samples;
    for (let i = 0; i < samples; i++) {
      const packed = Buffer.alloc(Math.ceil(per / 8));
      for (let k = 0; k < per; k++) if (bits[i * per + k]) packed[k >> 3] |= 1 << (k & 7);
      hashes[i].update(packed);
    }
  };
  tf.tidy(() => {
    run({ ...ctx, reluTap });
  });
  return new Set(hashes.map((h) => h.digest('hex'))).size;
}

/** Ranks (0 = best) of `values`, ascending or descending; ties share the lower rank. */
export function ranks(values: readonly number[], order: 'ascending' | 'descending'): number[] {
  const sign = order === 'ascending' ? 1 : -1;
  const sorted = values.map((v, i) => ({ v: sign * v, i })).sort((a, b) => a.v - b.v || a.i - b.i);
  const out = new Array<number>(values.length);
  sorted.forEach(({ v, i }, k) => (out[i] = k > 0 && v === sorted[k - 1].v ? out[sorted[k - 1].i] : k));
  return out;
}

/** Ranks from 1 with ties sharing their mean rank (Spearman's convention). */
function averageRanks(xs: readonly number[]): number[] {
  const order = xs.map((v, i) => ({ v, i })).sort((a, b) => a.v - b.v);
  const out = new Array<number>(xs.length);
  for (let k = 0; k < order.length;) {
    let j = k;
    while (j + 1 < order.length && order[j + 1].v === order[k].v) j++;
    for (let m = k; m <= j; m++) out[order[m].i] = (k + j) / 2 + 1;
    k = j + 1;
  }
  return out;
}

/** Spearman's rank correlation of two equal-length series (Pearson's on average ranks); null when either is constant. */
export function spearman(a: readonly number[], b: readonly number[]): number | null {
  if (a.length !== b.length) throw new RangeError(`spearman: ${a.length} values against ${b.length}`);
  const [ra, rb] = [averageRanks(a), averageRanks(b)];
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const [ma, mb] = [mean(ra), mean(rb)];
  let [sab, saa, sbb] = [0, 0, 0];
  for (let i = 0; i < ra.length; i++) {
    sab += (ra[i] - ma) * (rb[i] - mb);
    saa += (ra[i] - ma) ** 2;
    sbb += (rb[i] - mb) ** 2;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : null;
}

/** TE-NAS's combined score of each candidate: its rank by NTK condition number (low first) plus by linear regions (high first). */
export function combinedRanks(scores: ReadonlyArray<{ ntkCondition: number; linearRegions: number }>): number[] {
  const a = ranks(
    scores.map((s) => s.ntkCondition),
    'ascending',
  );
  const b = ranks(
    scores.map((s) => s.linearRegions),
    'descending',
  );
  return a.map((r, i) => r + b[i]);
}

export const trainingFreeSchema = z.strictObject({
  /** Random architectures scored (TE-NAS prunes a supernet; here candidates are drawn, as the other strategies draw them). */
  candidates: z.number().int().min(2).default(32),
  /** Clips of the NTK's batch (the first of the training split's first epoch); Θ is batch x batch. */
  batch: z.number().int().min(2).default(8),
  /**
   * Linear regions are counted, as TE-NAS does, on a thin copy of the candidate (`regionChannels` initial channels;
   * TE-NAS: 1) over this many random inputs of `regionFrames` x `regionSize`² pixels (TE-NAS: 3x3): on the full
   * network and full-size clips nearly every input falls in a region of its own, and the count says nothing (measured
   * on the sample set: 512 of 512 at C=8 on 8x32x32 clips, and at C=2 on 4x4 inputs; 1883-1983 of 2048 at C=2 on 2x2).
   */
  regionSamples: z.number().int().min(2).default(2048),
  regionChannels: z.number().int().min(2).default(2),
  regionFrames: z.number().int().min(1).default(1),
  regionSize: z.number().int().min(2).default(2),
});
export type TrainingFreeConfig = z.infer<typeof trainingFreeSchema>;

export interface TrainingFreeScore {
  ntkCondition: number;
  linearRegions: number;
}

/** Candidate `index` of a search seeded `seed`: a random architecture of the space (random-arch.ts), reproducible. */
export function candidateGenotype(seed: number, index: number): Genotype {
  return randomGenotype((seed * 1_000_003 + index * 7_919 + 17) % 2_147_483_647);
}

/**
 * Both indicators of `genotype` at initialisation: the NTK's condition number on the clips `x` [N, T, H, W, 3], the
 * linear regions of its thin copy (`regionChannels`) over the random inputs `regionInputs` [M, t, h, w, 3].
 */
export function scoreAtInit(
  genotype: Genotype,
  network: Omit<DerivedNetworkConfig, 'layout' | 'dropout'> & { layout?: CellType[] },
  x: tf.Tensor5D,
  regionInputs: tf.Tensor5D,
  regionChannels = 2,
): TrainingFreeScore {
  const ctx = { training: true, updateStats: false };
  const layout = network.layout ?? [...CELL_TYPES];
  const net = new DerivedNetwork(genotype, { ...network, dropout: 0, layout });
  let ntkCondition: number;
  try {
    ntkCondition = ntkConditionNumber((v) => net.forward(v as tf.Tensor5D, ctx), net.params.trainable(), x);
  } finally {
    net.dispose();
  }
  const thin = new DerivedNetwork(genotype, { ...network, channels: regionChannels, dropout: 0, layout });
  try {
    return { ntkCondition, linearRegions: linearRegionCount((c) => thin.forward(regionInputs, c), regionInputs.shape[0], ctx) };
  } finally {
    thin.dispose();
  }
}

/** The random inputs linear regions are counted over (standard normal, seeded). */
export function regionInputs(c: TrainingFreeConfig, seed: number): tf.Tensor5D {
  // 2 seed + 1: tfjs's randomNormal takes a seed of 0 for no seed at all (Math.random)
  return tf.randomNormal([c.regionSamples, c.regionFrames, c.regionSize, c.regionSize, 3], 0, 1, 'float32', 2 * seed + 1) as tf.Tensor5D;
}

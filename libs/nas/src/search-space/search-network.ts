/**
 * The search network (paper Fig. 5a): stem, S-NC, S-RC, T-NC, T-RC, global average pool, dropout, linear.
 * Alphas: one [14, numOps] tensor per cell category, shared by every cell of that category.
 */
import * as tf from '@tensorflow/tfjs-core';
import { globalAvgPool } from '../backend/ops/video';
import { linear } from '../backend/ops/linear';
import { gradients } from '../backend/backprop';
import { RecomputeTape } from '../layers/recompute';
import type { Ctx } from '../layers/context';
import { uniformNoise } from '../layers/noise';
import { Params } from '../layers/params';
import { Stem, STEM_MULTIPLIER } from '../layers/stem';
import { SearchCell } from './search-cell';
import { correctCount, crossEntropy } from '../train/loss';
import { cellTemporalStride, CELL_TYPES, EDGES, opsOf, type CellType } from './cell-types';

export interface SearchNetworkConfig {
  /** Initial channels (paper 64). */
  channels: number;
  classes: number;
  /** Spatial stride of the stem (layers/stem.ts): 1, 2 (the search's: 112 -> 56) or 4. */
  stemStride: number;
  /** Dropout before the classifier. */
  dropout: number;
  seed: number;
  /** Temporal stride of T-RC's reducing edges (1 by default, configurable; docs/decisions.md, "Search"). */
  temporalStride?: number;
}

/**
 * One architecture drawn from the supernet for a step (the `sampling` strategy, search/sampling.ts): the op of every
 * edge per cell type (a column of opsOf(type)), and their gates [14], computed from the alphas inside the step's
 * gradient scope so that the alphas get a gradient through them.
 */
export interface SampledPath {
  ops: Record<CellType, number[]>;
  gates(type: CellType, alpha: tf.Tensor): tf.Tensor1D;
}

export class SearchNetwork {
  readonly params: Params;
  readonly alphas: Record<CellType, tf.Variable>;
  private readonly stem: Stem;
  private readonly cells: SearchCell[] = [];
  private readonly classifier: { w: tf.Variable; b: tf.Variable };

  constructor(readonly config: SearchNetworkConfig) {
    const p = (this.params = new Params(config.seed));
    const C = config.channels;
    const Cstem = STEM_MULTIPLIER * C;
    this.stem = new Stem(p.scope('stem'), C, config.stemStride);
    let [Cpp, Cp, Ccur] = [Cstem, Cstem, C];
    let reductionPrev = false;
    let prevTemporalStride = 1;
    for (const type of CELL_TYPES) {
      const reduction = type.endsWith('_reduce');
      if (reduction) Ccur *= 2;
      const ts = cellTemporalStride(type, config.temporalStride);
      this.cells.push(new SearchCell(p.scope(`cells.${this.cells.length}`), type, Cpp, Cp, Ccur, reductionPrev, ts, prevTemporalStride));
      [Cpp, Cp] = [Cp, 4 * Ccur];
      reductionPrev = reduction;
      prevTemporalStride = ts;
    }
    this.classifier = p.scope('classifier').linear('fc', Cp, config.classes);
    const arch = p.scope('alphas');
    this.alphas = Object.fromEntries(CELL_TYPES.map((t) => [t, arch.alphas(t, [EDGES, opsOf(t).length])])) as Record<CellType, tf.Variable>;
  }

  /** Network weights (everything trainable but the alphas). */
  weights(): tf.Variable[] {
    const alphas = new Set<tf.Variable>(Object.values(this.alphas));
    return this.params.trainable().filter((v) => !alphas.has(v));
  }

  /** The weights a sampled path uses: all but those of the ops its edges did not draw. */
  pathWeights(path: SampledPath): tf.Variable[] {
    const alphas = new Set<tf.Variable>(Object.values(this.alphas));
    return this.params
      .list()
      .filter(({ variable, name }) => {
        if (!variable.trainable || alphas.has(variable)) return false;
        const m = /^cells\.(\d+)\.edges\.(\d+)\.([^.]+)\./.exec(name);
        if (!m) return true;
        const type = this.cells[Number(m[1])].type;
        return opsOf(type)[path.ops[type][Number(m[2])]] === m[3];
      })
      .map((p) => p.variable);
  }

  alphaList(): tf.Variable[] {
    return CELL_TYPES.map((t) => this.alphas[t]);
  }

  /**
   * x [N, T, H, W, 3] -> logits [N, classes]. With a tape every block runs as a recomputed segment. With a `path`
   * each edge runs its sampled op only, gated; else every op, weighted by softmax(alpha).
   */
  forward(x: tf.Tensor5D, ctx: Ctx, tape?: RecomputeTape, dropoutSeed = 0, path?: SampledPath): tf.Tensor2D {
    const seg = <T extends tf.Tensor>(fn: (...xs: tf.Tensor[]) => T, inputs: tf.Tensor[]): T => (tape ? tape.run(fn, inputs) : fn(...inputs));
    const stem = seg((v) => this.stem.forward(v as tf.Tensor5D, ctx), [x]);
    let [s0, s1] = [stem, stem];
    for (const cell of this.cells) {
      const alpha = this.alphas[cell.type];
      const weights = seg(() => (path ? path.gates(cell.type, alpha) : tf.softmax(alpha as tf.Tensor2D)), []);
      [s0, s1] = [s1, cell.forward(s0, s1, weights, ctx, tape, path?.ops[cell.type])];
    }
    const p = ctx.training ? this.config.dropout : 0;
    const pooled = seg((v) => globalAvgPool(v as tf.Tensor5D), [s1]);
    // the dropout mask is an input of the head segment, so a recomputation draws the same one; the tape owns it
    const mask = p > 0 ? tf.tidy(() => tf.div(tf.cast(tf.greaterEqual(uniformNoise(pooled.shape, dropoutSeed), p), 'float32'), 1 - p)) : undefined;
    if (mask && tape) tape.own(mask);
    return seg(
      (v, m) => linear((m ? tf.mul(v, m) : v) as tf.Tensor2D, this.classifier.w as tf.Tensor2D, this.classifier.b as tf.Tensor1D),
      mask ? [pooled, mask] : [pooled],
    );
  }

  dispose(): void {
    this.params.dispose();
  }
}

/**
 * Loss and gradients w.r.t. `variables` of one batch, the loss and the correct count as scalars on the device
 * (the caller reads them with the step's other metrics: readScalars). `recompute`: recompute block by block in
 * the backward pass (memory of one block instead of the whole network).
 */
export function lossAndGradients(
  net: SearchNetwork,
  x: tf.Tensor5D,
  labels: tf.Tensor1D,
  variables: tf.Variable[],
  options: { recompute: boolean; dropoutSeed?: number; normEval?: boolean; path?: SampledPath },
): { loss: tf.Scalar; correct: tf.Scalar; grads: tf.Tensor[] } {
  if (!options.recompute) {
    const ctx: Ctx = { training: true, updateStats: true, normEval: options.normEval };
    let correct: tf.Scalar | undefined;
    const grads = tf.tidy(() => {
      const r = gradients(() => {
        const logits = net.forward(x, ctx, undefined, options.dropoutSeed, options.path);
        correct = tf.keep(correctCount(logits, labels));
        return crossEntropy(logits, labels);
      }, variables);
      return [r.value, ...r.grads.map((g, i) => g ?? tf.zerosLike(variables[i]))];
    });
    const [loss, ...rest] = grads;
    return { loss: loss as tf.Scalar, correct: correct!, grads: rest };
  }
  const tape = new RecomputeTape();
  const ctx: Ctx = {
    training: true,
    normEval: options.normEval,
    get updateStats() {
      return !tape.recomputing;
    },
  };
  const logits = net.forward(x, ctx, tape, options.dropoutSeed, options.path);
  const correct = correctCount(logits, labels);
  const loss = tape.run((l) => crossEntropy(l as tf.Tensor2D, labels), [logits]) as tf.Scalar;
  const grads = tape.backward(loss, variables);
  return { loss, correct, grads };
}

/**
 * A derived cell (DARTS' evaluation cell): the genotype's two ops per node, affine BN, drop-path on every
 * op that is not an identity (per sample, scaled by 1 / keep, training only).
 */
import * as tf from '@tensorflow/tfjs-core';
import { concatChannels } from '../backend/ops/video';
import type { GNode, GraphBuilder } from '../export/graph-builder';
import type { Ctx } from '../layers/context';
import { uniformNoise } from '../layers/noise';
import type { Params } from '../layers/params';
import type { CellGenotype } from '../search-space/genotype';
import { deriveSeed } from '@pvnas/base';
import { cellInput0, Identity, ReLUConvBN, type Block, edgeOp } from '../operations';
import { isReduction, NODES, type CellType } from '../search-space/cell-types';

/** Per-sample drop-path: x [N, ...] times a [N, 1, 1, 1, 1] mask of Bernoulli(keep) / keep. */
export function dropPath(x: tf.Tensor5D, dropProb: number, seed: number): tf.Tensor5D {
  if (dropProb <= 0) return x;
  const keep = 1 - dropProb;
  const mask = tf.div(tf.cast(tf.less(uniformNoise([x.shape[0], 1, 1, 1, 1], seed), keep), 'float32'), keep);
  return tf.mul(x, mask);
}

export interface DropPath {
  prob: number;
  /** Seeds this step's masks (one per op, derived in order). */
  seed: number;
}

export class DerivedCell {
  private readonly preprocess0: Block;
  private readonly preprocess1: Block;
  private readonly ops: Array<{ block: Block; input: number }> = [];
  readonly reduction: boolean;
  readonly multiplier: number;

  /** Strides as SearchCell's: `temporalStride` of this cell when it reduces, `prevTemporalStride` of the previous one. */
  constructor(
    p: Params,
    readonly type: CellType,
    private readonly genotype: CellGenotype,
    Cpp: number,
    Cp: number,
    readonly C: number,
    reductionPrev: boolean,
    temporalStride = 1,
    prevTemporalStride = 1,
  ) {
    this.reduction = isReduction(type);
    this.preprocess0 = cellInput0(p.scope('preprocess0'), Cpp, C, true, reductionPrev, prevTemporalStride);
    this.preprocess1 = new ReLUConvBN(p.scope('preprocess1'), Cp, C, true);
    genotype.edges.forEach(([name, input], k) => {
      const reducing = this.reduction && input < 2;
      this.ops.push({ block: edgeOp(name, p.scope(`ops.${k}.${name}`), C, reducing ? 2 : 1, true, reducing ? temporalStride : 1), input });
    });
    this.multiplier = genotype.concat.length;
  }

  forward(s0: tf.Tensor5D, s1: tf.Tensor5D, ctx: Ctx, drop?: DropPath): tf.Tensor5D {
    const states = [this.preprocess0.forward(s0, ctx), this.preprocess1.forward(s1, ctx)];
    for (let node = 0; node < NODES; node++) {
      const [a, b] = [this.ops[2 * node], this.ops[2 * node + 1]].map(({ block, input }, k) => {
        const h = block.forward(states[input], ctx);
        return ctx.training && drop && !(block instanceof Identity) ? dropPath(h, drop.prob, deriveSeed(drop.seed, node, k)) : h;
      });
      states.push(tf.add(a, b));
    }
    return concatChannels(this.genotype.concat.map((i) => states[i]));
  }

  /** Inference as graph nodes (no drop-path). */
  emit(g: GraphBuilder, s0: GNode, s1: GNode): GNode {
    const states = [this.preprocess0.emit(g, s0), this.preprocess1.emit(g, s1)];
    for (let node = 0; node < NODES; node++) {
      const [a, b] = [this.ops[2 * node], this.ops[2 * node + 1]].map(({ block, input }) => block.emit(g, states[input]));
      states.push(g.add(a, b));
    }
    return g.concat(
      this.genotype.concat.map((i) => states[i]),
      3,
    );
  }
}

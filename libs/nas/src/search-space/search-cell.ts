/**
 * A search cell (DARTS): two preprocessed inputs, 4 intermediate nodes, each the sum of mixed edges from
 * every earlier state (14 edges), output the channel concatenation of the 4 nodes. Reduction cells use
 * spatial stride 2 on the edges that leave the inputs, and `temporalStride` in time (T-RC, when configured).
 */
import * as tf from '@tensorflow/tfjs-core';
import { concatChannels } from '../backend/ops/video';
import type { Ctx } from '../layers/context';
import type { RecomputeTape } from '../layers/recompute';
import type { Params } from '../layers/params';
import { MixedOp } from './mixed-op';
import { cellInput0, ReLUConvBN, type Block } from '../operations';
import { isReduction, NODES, opsOf, type CellType } from './cell-types';

export class SearchCell {
  private readonly preprocess0: Block;
  private readonly preprocess1: Block;
  private readonly edges: MixedOp[] = [];
  readonly reduction: boolean;

  /**
   * `reductionPrev`: the previous cell reduced, so s0 is twice as large (and `prevTemporalStride` times as long);
   * `temporalStride`: this cell's temporal stride when it reduces.
   */
  constructor(
    p: Params,
    readonly type: CellType,
    Cpp: number,
    Cp: number,
    readonly C: number,
    reductionPrev: boolean,
    temporalStride = 1,
    prevTemporalStride = 1,
  ) {
    this.reduction = isReduction(type);
    this.preprocess0 = cellInput0(p.scope('preprocess0'), Cpp, C, false, reductionPrev, prevTemporalStride);
    this.preprocess1 = new ReLUConvBN(p.scope('preprocess1'), Cp, C, false);
    for (let i = 0; i < NODES; i++) {
      for (let j = 0; j < 2 + i; j++) {
        const reducing = this.reduction && j < 2;
        this.edges.push(new MixedOp(p.scope(`edges.${this.edges.length}`), opsOf(type), C, reducing ? 2 : 1, reducing ? temporalStride : 1));
      }
    }
  }

  /**
   * s0, s1: the two previous cells' outputs; weights [14, numOps]. With `chosen` (the op of every edge, sampled),
   * only those ops run and `weights` is their gates [14]. With a tape, every block is a segment.
   */
  forward(s0: tf.Tensor5D, s1: tf.Tensor5D, weights: tf.Tensor, ctx: Ctx, tape?: RecomputeTape, chosen?: readonly number[]): tf.Tensor5D {
    const seg = <T extends tf.Tensor>(fn: (...xs: tf.Tensor[]) => T, inputs: tf.Tensor[]): T => (tape ? tape.run(fn, inputs) : fn(...inputs));
    const states: tf.Tensor5D[] = [
      seg((x) => this.preprocess0.forward(x as tf.Tensor5D, ctx), [s0]),
      seg((x) => this.preprocess1.forward(x as tf.Tensor5D, ctx), [s1]),
    ];
    let offset = 0;
    for (let i = 0; i < NODES; i++) {
      const terms = states.map((h, j) => {
        const e = offset + j; // captured by value: segments run again in the backward pass
        if (chosen) return seg((x, gs) => this.edges[e].forwardOne(x as tf.Tensor5D, chosen[e], tf.slice(gs, [e], [1]), ctx), [h, weights]);
        const row = (ws: tf.Tensor): tf.Tensor1D => tf.reshape(tf.slice(ws, [e, 0], [1, -1]), [-1]);
        return seg((x, ws) => this.edges[e].forward(x as tf.Tensor5D, row(ws), ctx), [h, weights]);
      });
      offset += states.length;
      states.push(seg((...ts) => tf.addN(ts as tf.Tensor5D[]), terms));
    }
    return seg((...ts) => concatChannels(ts as tf.Tensor5D[]), states.slice(2));
  }
}

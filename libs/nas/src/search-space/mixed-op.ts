/**
 * A mixed edge: the softmax(alpha)-weighted sum of every candidate op (paper eq. 1), or one sampled op scaled by its
 * gate (the `sampling` strategy, search/sampling.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Ctx } from '../layers/context';
import type { Params } from '../layers/params';
import { hasKernel, pvnasWeightedSum } from '../backend/kernel-names';
import { type Block, edgeOp, type OpName } from '../operations';

export class MixedOp {
  /**
   * The ops other than `none`, with their column in the weights. `none` adds zeros: leaving it out changes no
   * value and no gradient (its weight still normalises the others through the softmax).
   */
  private readonly live: Array<{ block: Block; column: number }>;
  private readonly columns: number[];
  private readonly blocks: Block[];

  constructor(
    p: Params,
    readonly names: readonly OpName[],
    C: number,
    stride: number,
    temporalStride = 1,
  ) {
    const blocks = (this.blocks = names.map((name) => edgeOp(name, p.scope(name), C, stride, false, temporalStride)));
    this.live = blocks.map((block, column) => ({ block, column })).filter(({ column }) => names[column] !== 'none');
    this.columns = this.live.map((op) => op.column);
  }

  /** x [N, T, H, W, C], weights [numOps] (softmax of the edge's alpha row). */
  forward(x: tf.Tensor5D, weights: tf.Tensor1D, ctx: Ctx): tf.Tensor5D {
    const outputs = this.live.map(({ block }) => block.forward(x, ctx));
    const fused = pvnasWeightedSum(outputs.length);
    if (hasKernel(fused)) {
      const inputs: tf.NamedTensorMap = { w: weights };
      outputs.forEach((y, k) => (inputs[`y${k}`] = y));
      return tf.engine().runKernel(fused, inputs, { indices: this.columns }) as unknown as tf.Tensor5D;
    }
    const terms = outputs.map((y, k) => tf.mul<tf.Tensor5D>(y, weights.slice([this.columns[k]], [1])));
    return terms.length === 1 ? terms[0] : tf.addN(terms);
  }

  /** Only op `column`, times `gate` (a scalar: 1 in value, the sampled op's straight-through weight). */
  forwardOne(x: tf.Tensor5D, column: number, gate: tf.Tensor, ctx: Ctx): tf.Tensor5D {
    return tf.mul<tf.Tensor5D>(this.blocks[column].forward(x, ctx), gate);
  }
}

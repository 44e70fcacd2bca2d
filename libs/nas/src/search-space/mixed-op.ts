/** A mixed edge: the softmax(alpha)-weighted sum of every candidate op (paper eq. 1). */
import * as tf from '@tensorflow/tfjs-core';
import type { Block } from '../layers/blocks';
import type { Ctx } from '../layers/context';
import type { Params } from '../layers/params';
import { OPS } from './ops';
import type { OpName } from './op-names';

export class MixedOp {
  private readonly ops: Array<{ name: OpName; block: Block }>;

  constructor(p: Params, readonly names: readonly OpName[], C: number, stride: number) {
    this.ops = names.map((name) => ({ name, block: OPS[name](p.scope(name), C, stride, false) }));
  }

  /** x [N, T, H, W, C], weights [numOps] (softmax of the edge's alpha row). */
  forward(x: tf.Tensor5D, weights: tf.Tensor1D, ctx: Ctx): tf.Tensor5D {
    const terms: tf.Tensor5D[] = [];
    this.ops.forEach(({ name, block }, i) => {
      // `none` adds zeros: leaving it out changes no value and no gradient (its weight still normalises the others)
      if (name !== 'none') terms.push(tf.mul(block.forward(x, ctx), weights.slice([i], [1])));
    });
    return terms.length === 1 ? terms[0] : tf.addN(terms);
  }
}

/**
 * BatchNorm over channels-last features with running statistics (momentum 0.1, unbiased running
 * variance, as PyTorch). Affine off during search, on in derived networks (DARTS).
 */
import * as tf from '@tensorflow/tfjs-core';
import { batchNormEval, batchNormTrain } from '../backend/ops/batch-norm';
import type { GNode, GraphBuilder } from '../export/graph-builder';
import type { Ctx } from './context';
import type { Params } from './params';

export const BN_MOMENTUM = 0.1;

export class BatchNorm {
  private readonly affine?: { gamma: tf.Variable; beta: tf.Variable };
  private readonly runningMean: tf.Variable;
  private readonly runningVar: tf.Variable;

  constructor(
    p: Params,
    readonly channels: number,
    affine: boolean,
  ) {
    if (affine) this.affine = { gamma: p.constant('gamma', [channels], 1), beta: p.constant('beta', [channels], 0) };
    this.runningMean = p.constant('running_mean', [channels], 0, false);
    this.runningVar = p.constant('running_var', [channels], 1, false);
  }

  forward<T extends tf.Tensor>(x: T, ctx: Ctx): T {
    const affine = this.affine as { gamma: tf.Tensor1D; beta: tf.Tensor1D } | undefined;
    if (!ctx.training || ctx.normEval) return batchNormEval(x, this.runningMean as tf.Tensor1D, this.runningVar as tf.Tensor1D, affine);
    const { y, mean, variance } = batchNormTrain(x, affine);
    if (ctx.updateStats) {
      const n = x.size / this.channels;
      tf.tidy(() => {
        this.runningMean.assign(tf.add(tf.mul(1 - BN_MOMENTUM, this.runningMean), tf.mul(BN_MOMENTUM, mean)));
        this.runningVar.assign(tf.add(tf.mul(1 - BN_MOMENTUM, this.runningVar), tf.mul(BN_MOMENTUM * (n / Math.max(n - 1, 1)), variance)));
      });
    }
    return y;
  }

  emit(g: GraphBuilder, x: GNode): GNode {
    return g.batchNorm(x, { mean: this.runningMean, variance: this.runningVar, ...(this.affine && { gamma: this.affine.gamma, beta: this.affine.beta }) });
  }
}

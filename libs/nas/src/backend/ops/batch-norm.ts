/**
 * Batch normalisation over every axis but the last (channels-last), in training mode (batch statistics,
 * biased variance in the normalisation, as PyTorch) and in eval mode (running statistics). tfjs's own
 * tf.batchNorm has no working gradient; this one is right on every backend (see route.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import { PVNAS_BATCH_NORM, PVNAS_BATCH_NORM_AFFINE } from '../kernel-names';
import { customOp } from './custom-op';
import { routeFor } from './route';
import { channelSum } from './window';

export const BN_EPS = 1e-5;

export interface BatchNormResult<T extends tf.Tensor> {
  y: T;
  /** Batch mean and biased batch variance per channel, [C], for running averages; do not differentiate them. */
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
}

export interface BatchNormAffine {
  gamma: tf.Tensor1D;
  beta: tf.Tensor1D;
}

/**
 * Normalised x (no affine) with its closed-form gradient: dx = invstd * (dy - mean(dy) - xhat * mean(dy * xhat)).
 * The statistics enter the custom op as inputs (with zero gradient) so they outlive its forward scope.
 */
function normalizeComposite(x2: tf.Tensor2D, eps: number): { xhat: tf.Tensor2D; mean: tf.Tensor1D; variance: tf.Tensor1D } {
  const P = x2.shape[0];
  const mean = tf.div<tf.Tensor1D>(channelSum(x2), P);
  const variance = tf.div<tf.Tensor1D>(channelSum(tf.square(tf.sub(x2, mean))), P);
  const invstd = tf.rsqrt<tf.Tensor1D>(tf.add<tf.Tensor1D>(variance, eps));
  const xhat = customOp<tf.Tensor2D>([x2, mean, invstd], ([xi, m, inv], save) => {
    const value = tf.mul<tf.Tensor2D>(tf.sub(xi, m), inv);
    save([value, inv]);
    return {
      value,
      gradFunc: (dy, [xh, invs]) => {
        const mdy = tf.div(channelSum(dy), P);
        const mdyx = tf.div(channelSum(tf.mul(dy, xh)), P);
        return [tf.mul(tf.sub(tf.sub(dy, mdy), tf.mul(xh, mdyx)), invs), tf.zerosLike(m), tf.zerosLike(invs)];
      },
    };
  });
  return { xhat, mean, variance };
}

/** Training-mode batch norm of x [..., C]. */
export function batchNormTrain<T extends tf.Tensor>(x: T, affine?: BatchNormAffine, eps = BN_EPS): BatchNormResult<T> {
  const C = x.shape[x.rank - 1];
  if (affine && (affine.gamma.shape[0] !== C || affine.beta.shape[0] !== C)) {
    throw new Error(`batchNorm: gamma [${affine.gamma.shape}] and beta [${affine.beta.shape}] must be [${C}] for x [${x.shape}]`);
  }
  const x2 = x.reshape<tf.Tensor2D>([x.size / C, C]);
  const route = routeFor(affine ? PVNAS_BATCH_NORM_AFFINE : PVNAS_BATCH_NORM);
  if (route === 'kernel') {
    const inputs: tf.NamedTensorMap = affine ? { x: x2, gamma: affine.gamma, beta: affine.beta } : { x: x2 };
    const [y, mean, invstd] = tf.engine().runKernel(affine ? PVNAS_BATCH_NORM_AFFINE : PVNAS_BATCH_NORM, inputs, { eps }) as tf.Tensor[];
    const variance = tf.sub(tf.reciprocal(tf.square(invstd)), eps) as tf.Tensor1D;
    return { y: y.reshape<T>(x.shape), mean: mean as tf.Tensor1D, variance };
  }
  let xhat: tf.Tensor2D, mean: tf.Tensor1D, variance: tf.Tensor1D;
  if (route === 'composite') {
    ({ xhat, mean, variance } = normalizeComposite(x2, eps));
  } else {
    const m = tf.moments(x2, 0);
    xhat = tf.mul(tf.sub(x2, m.mean), tf.rsqrt(tf.add(m.variance, eps)));
    mean = m.mean as tf.Tensor1D;
    variance = m.variance as tf.Tensor1D;
  }
  const y = affine ? tf.add(tf.mul(xhat, affine.gamma), affine.beta) : xhat;
  return { y: y.reshape<T>(x.shape), mean, variance };
}

/** Eval-mode batch norm with running statistics (stock ops: their gradients are right everywhere). */
export function batchNormEval<T extends tf.Tensor>(x: T, runningMean: tf.Tensor1D, runningVar: tf.Tensor1D, affine?: BatchNormAffine, eps = BN_EPS): T {
  const xhat = tf.mul(tf.sub(x, runningMean), tf.rsqrt(tf.add(runningVar, eps)));
  return (affine ? tf.add(tf.mul(xhat, affine.gamma), affine.beta) : xhat) as T;
}

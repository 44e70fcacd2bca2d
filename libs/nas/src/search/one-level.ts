/**
 * One-level search step (paper eq. 8-9, Alg. 1): alphas and weights both descend the training loss of the
 * same batch.
 *
 *   alternating    an Adam step on the alphas with the weights fixed, then an SGD step on the weights with
 *                  the updated alphas: two forward/backward passes (Alg. 1 read step by step; the default).
 *   simultaneous   one forward/backward pass gives both gradients, then both steps: half the cost; the
 *                  weight step sees the alphas of before their step, a difference of one alpha step.
 */
import * as tf from '@tensorflow/tfjs-core';
import { lossAndGradients, type SearchNetwork } from '../search-space/search-network';
import { readScalars } from '../train/loss';
import { Adam, clipGlobalNorm, Sgd } from '../train/optimizers';

export const ONE_LEVEL_MODES = ['alternating', 'simultaneous'] as const;
export type OneLevelMode = (typeof ONE_LEVEL_MODES)[number];

export interface SearchStepOptions {
  mode: OneLevelMode;
  /** Recompute block by block in the backward pass (memory of one block instead of the whole network). */
  recompute: boolean;
  /** Clip the weight gradients' global norm (DARTS: 5); undefined = no clipping. */
  gradClip?: number;
  dropoutSeed?: number;
}

export interface SearchStepResult {
  alphaLoss: number;
  weightLoss: number;
  /** Clips of the batch the weight step's forward pass classified right (top-1). */
  correct: number;
  gradNorm?: number;
}

export function searchStep(net: SearchNetwork, x: tf.Tensor5D, labels: tf.Tensor1D, alphaOpt: Adam, weightOpt: Sgd, o: SearchStepOptions): SearchStepResult {
  const alphas = net.alphaList();
  const weights = net.weights();
  const pass = (vars: tf.Variable[]) => lossAndGradients(net, x, labels, vars, { recompute: o.recompute, dropoutSeed: o.dropoutSeed });
  let a: { loss: tf.Scalar; grads: tf.Tensor[] };
  let w: { loss: tf.Scalar; correct: tf.Scalar; grads: tf.Tensor[] };
  if (o.mode === 'simultaneous') {
    const both = pass([...alphas, ...weights]);
    a = { loss: tf.clone(both.loss), grads: both.grads.slice(0, alphas.length) };
    w = { ...both, grads: both.grads.slice(alphas.length) };
    alphaOpt.step(alphas, a.grads);
  } else {
    const first = pass(alphas);
    first.correct.dispose();
    a = first;
    alphaOpt.step(alphas, a.grads);
    w = pass(weights);
  }
  tf.dispose(a.grads);
  let grads = w.grads;
  let norm: tf.Scalar | undefined;
  if (o.gradClip !== undefined) ({ grads, norm } = clipGlobalNorm(grads, o.gradClip));
  weightOpt.step(weights, grads);
  tf.dispose(grads);
  // the step's one host read: its metrics, after the updates
  return readScalars({ alphaLoss: a.loss, weightLoss: w.loss, correct: w.correct, gradNorm: norm });
}

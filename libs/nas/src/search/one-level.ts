/**
 * One-level search step (paper eq. 8-9, Alg. 1): on the same training batch, an Adam step on the alphas
 * with the weights fixed, then an SGD step on the weights with the updated alphas.
 */
import * as tf from '@tensorflow/tfjs-core';
import { lossAndGradients, type SearchNetwork } from '../search-space/search-network';
import { Adam, clipGlobalNorm, Sgd } from './optimizers';

export interface SearchStepOptions {
  checkpoint: boolean;
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
  const a = lossAndGradients(net, x, labels, alphas, { checkpoint: o.checkpoint, dropoutSeed: o.dropoutSeed });
  alphaOpt.step(alphas, a.grads);
  tf.dispose(a.grads);
  const weights = net.weights();
  const w = lossAndGradients(net, x, labels, weights, { checkpoint: o.checkpoint, dropoutSeed: o.dropoutSeed });
  let grads = w.grads;
  let gradNorm: number | undefined;
  if (o.gradClip !== undefined) ({ grads, norm: gradNorm } = clipGlobalNorm(grads, o.gradClip));
  weightOpt.step(weights, grads);
  tf.dispose(grads);
  return { alphaLoss: a.loss, weightLoss: w.loss, correct: w.correct, gradNorm };
}

/**
 * Uniform [0, 1) noise for dropout and drop-path masks. On a backend with the PvnasRandomUniform kernel (torch)
 * it is made on the device from the seed, with no host copy in the step; elsewhere tfjs's seeded generator makes
 * it on the host. The same seed gives the same mask on one backend and device; across them the numbers differ.
 */
import * as tf from '@tensorflow/tfjs-core';
import { hasKernel, PVNAS_RANDOM_UNIFORM } from '../backend/kernel-names';

export function uniformNoise(shape: number[], seed: number): tf.Tensor {
  if (hasKernel(PVNAS_RANDOM_UNIFORM)) return tf.engine().runKernel(PVNAS_RANDOM_UNIFORM, {}, { shape, seed }) as tf.Tensor;
  return tf.randomUniform(shape, 0, 1, 'float32', seed);
}

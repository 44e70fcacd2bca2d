/**
 * The training loss (mean softmax cross-entropy, as DARTS and PySlowFast train with) and the count of correct
 * predictions every step reports beside it. Search, retraining and evaluation all use these two.
 */
import * as tf from '@tensorflow/tfjs-core';

/** How many rows of logits [N, K] have their (first) maximum at the label, as a float32 scalar on the device. */
export function correctCount(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), tf.cast(labels, 'int32')), 'float32')));
}

/** The same, read to the host (evaluation, where the count is what is wanted). */
export function countCorrect(logits: tf.Tensor2D, labels: tf.Tensor1D): number {
  const c = correctCount(logits, labels);
  const n = c.dataSync()[0];
  c.dispose();
  return n;
}

/**
 * Reads a step's scalars (loss, correct count, gradient norm, ...) to the host in one transfer, after the
 * step's updates are queued: the one point where a training step waits for the device. Disposes them.
 */
export function readScalars<T extends Record<string, tf.Scalar | undefined>>(
  scalars: T,
): { [K in keyof T]: T[K] extends tf.Scalar ? number : number | undefined } {
  const keys = Object.keys(scalars).filter((k) => scalars[k] !== undefined);
  const given = keys.map((k) => scalars[k] as tf.Scalar);
  const all = tf.tidy(() => tf.stack(given));
  const values = all.dataSync();
  tf.dispose([all, ...given]);
  return Object.fromEntries(keys.map((k, i) => [k, values[i]])) as { [K in keyof T]: T[K] extends tf.Scalar ? number : number | undefined };
}

/** Mean softmax cross-entropy of logits [N, K] against integer labels [N]. */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  const logp = tf.logSoftmax(logits);
  return tf.neg(tf.mean(tf.sum(tf.mul(tf.oneHot(labels, logits.shape[1]), logp), 1))) as tf.Scalar;
}

/**
 * The training loss (mean softmax cross-entropy, as DARTS and PySlowFast train with) and the count of correct
 * predictions every step reports beside it. Search, retraining and evaluation all use these two.
 */
import * as tf from '@tensorflow/tfjs-core';

/** How many rows of logits [N, K] have their (first) maximum at the label. */
export function countCorrect(logits: tf.Tensor2D, labels: tf.Tensor1D): number {
  return tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), tf.cast(labels, 'int32')), 'int32')).dataSync()[0]);
}

/** Mean softmax cross-entropy of logits [N, K] against integer labels [N]. */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  const logp = tf.logSoftmax(logits);
  return tf.neg(tf.mean(tf.sum(tf.mul(tf.oneHot(labels, logits.shape[1]), logp), 1))) as tf.Scalar;
}

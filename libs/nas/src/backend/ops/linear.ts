/**
 * Matrix products that are safe on wasm. tfjs-backend-wasm caches XNNPACK's packed right-hand operand by
 * tensor data id; a tensor reshaped to another shape keeps the id, so a later product with it reuses a
 * stale packing and returns wrong values or aborts the wasm module (FINDINGS.md). On wasm the right
 * operand is therefore copied to a fresh buffer first.
 */
import * as tf from '@tensorflow/tfjs-core';
import { addMacs } from './mac-counter';
import './route';

/** A copy with its own data id on wasm; the tensor itself elsewhere. */
export function freshOnWasm<T extends tf.Tensor>(t: T): T {
  return tf.getBackend() === 'wasm' ? tf.add<T>(t, tf.scalar(0)) : t;
}

/** a [M, K] x b [K, N]. */
export function matMul(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  addMacs(a.shape[0] * a.shape[1] * b.shape[1]);
  return tf.matMul(a, freshOnWasm(b));
}

/** Fully connected layer: x [N, Cin] w [Cin, Cout] (+ b [Cout]) -> [N, Cout]. */
export function linear(x: tf.Tensor2D, w: tf.Tensor2D, b?: tf.Tensor1D): tf.Tensor2D {
  const y = matMul(x, w);
  return b ? tf.add<tf.Tensor2D>(y, b) : y;
}

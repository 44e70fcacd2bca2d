import * as tf from '@tensorflow/tfjs-core';

/** How a forward pass runs. */
export interface Ctx {
  /** Batch statistics and drop-path/dropout on (training) or running statistics and no dropping (eval). */
  training: boolean;
  /**
   * Update BN running statistics. Off when a segment is recomputed for its backward pass (checkpointing)
   * so every batch counts once.
   */
  updateStats: boolean;
  /**
   * BN layers use (and keep) their running statistics even when training (mmaction2's `norm_eval`): for fine-tuning,
   * and for checking that a data-parallel step equals one process's step on the whole batch.
   */
  normEval?: boolean;
  /** Called with every ReLU's input before it is applied (search/training-free.ts counts activation patterns). */
  reluTap?: (x: tf.Tensor) => void;
}

export const TRAIN: Ctx = { training: true, updateStats: true };
export const EVAL: Ctx = { training: false, updateStats: false };

/** ReLU of `x`, first passing `x` to `ctx.reluTap` when a forward pass watches them. */
export function relu<T extends tf.Tensor>(x: T, ctx: Ctx): T {
  ctx.reluTap?.(x);
  return tf.relu(x);
}

/** How a forward pass runs. */
export interface Ctx {
  /** Batch statistics and drop-path/dropout on (training) or running statistics and no dropping (eval). */
  training: boolean;
  /**
   * Update BN running statistics. Off when a segment is recomputed for its backward pass (checkpointing)
   * so every batch counts once.
   */
  updateStats: boolean;
}

export const TRAIN: Ctx = { training: true, updateStats: true };
export const EVAL: Ctx = { training: false, updateStats: false };

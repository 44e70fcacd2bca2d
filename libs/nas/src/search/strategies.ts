/**
 * The search strategies of `pvnas search`, one module each, over the same space, data and run folder:
 *
 *   darts     the paper's one-level differentiable search: every op of every edge runs, weighted by softmax(alpha)
 *             (one-level.ts). The default.
 *   sampling  one path a step, drawn by Gumbel-softmax from the alphas, learnt through the straight-through
 *             estimator (GDAS / FP-NAS; sampling.ts): the memory of one network, not of the supernet.
 *
 * Both train the supernet's alphas with the epoch loop, checkpoint and resume as the search always has, and end in
 * the alphas' genotype (derive.ts).
 */
export const SUPERNET_STRATEGIES = ['darts', 'sampling'] as const;
export type SupernetStrategy = (typeof SUPERNET_STRATEGIES)[number];

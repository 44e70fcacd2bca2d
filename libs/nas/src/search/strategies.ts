/**
 * The search strategies of `pvnas search`, one module each, over the same space, data and run folder:
 *
 *   darts     the paper's one-level differentiable search: every op of every edge runs, weighted by softmax(alpha)
 *             (one-level.ts). The default.
 *   sampling  one path a step, drawn by Gumbel-softmax from the alphas, learnt through the straight-through
 *             estimator (GDAS / FP-NAS; sampling.ts): the memory of one network, not of the supernet.
 *
 *   training-free  random architectures scored at initialisation by the NTK's condition number and their linear
 *             regions, ranked by the sum of both ranks (TE-NAS; training-free.ts): no training at all.
 *   evolution regularized evolution (Real et al.; EvaNet, AssembleNet; evolution.ts): each candidate trained briefly
 *             and scored on a held-out part of the training split.
 *   random    random architectures trained and scored the same way (random search).
 *
 * The supernet strategies train the alphas with the epoch loop, checkpoint and resume as the search always has, and
 * end in the alphas' genotype (derive.ts); the candidate strategies append each scored candidate to the run folder's
 * candidates.jsonl (a resumed run goes on after the last) and end in the best candidate's genotype.
 */
export const SUPERNET_STRATEGIES = ['darts', 'sampling'] as const;
export type SupernetStrategy = (typeof SUPERNET_STRATEGIES)[number];

/** Strategies that score whole architectures one by one (candidates.jsonl in the run folder), not a supernet. */
export const CANDIDATE_STRATEGIES = ['training-free', 'evolution', 'random'] as const;
export type CandidateStrategy = (typeof CANDIDATE_STRATEGIES)[number];

export const SEARCH_STRATEGIES = [...SUPERNET_STRATEGIES, ...CANDIDATE_STRATEGIES] as const;
export type SearchStrategy = (typeof SEARCH_STRATEGIES)[number];

/**
 * Regularized evolution (Real et al. 2019, "aging evolution"; EvaNet and AssembleNet evolve video networks this way):
 * a population of the `population` most recently evaluated architectures; each new candidate is a mutation of the
 * fittest of `sample` members drawn from it (a tournament); the oldest member leaves as the child joins, whatever
 * its fitness, so no architecture survives on one lucky evaluation. The first `population` candidates are random.
 *
 * Pure: the next candidate is a function of the seed, its index and the history of evaluated candidates, so a resumed
 * search proposes what the uninterrupted one would have. A mutation changes one edge of one cell: its op (to another
 * op of the cell's kind, `none` excluded) or its input (to another state its node can take, not the node's other
 * input), as Real et al.'s op and hidden-state mutations.
 */
import { z } from 'zod';
import { createRng, deriveSeed } from '@pvnas/base';
import { CELL_TYPES, opsOf } from '../search-space/cell-types';
import type { CellGenotype, Genotype } from '../search-space/genotype';
import type { OpName } from '../operations';
import { candidateGenotype } from './training-free';

export const evolutionSchema = z.strictObject({
  /** Candidates trained and scored in all (the random strategy trains as many). */
  candidates: z.number().int().min(2).default(24),
  /** Architectures in the population (the most recent ones). */
  population: z.number().int().min(2).default(8),
  /** Tournament size: members drawn to pick a parent. */
  sample: z.number().int().min(1).default(3),
  /** Epochs each candidate trains on the fitting part of the training split. */
  trainEpochs: z.number().int().min(1).default(1),
  /** Share of the training split held out to score the candidates (by a hash of each video id). */
  heldOut: z.number().gt(0).lt(1).default(0.2),
});
export type EvolutionConfig = z.infer<typeof evolutionSchema>;

/** `g` with one edge of one cell changed: its op or its input. */
export function mutate(g: Genotype, random: () => number): Genotype {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
  const type = pick(CELL_TYPES);
  const cell = g.cells[type];
  const k = Math.floor(random() * cell.edges.length);
  const node = Math.floor(k / 2);
  const edges = cell.edges.map(([op, input]) => [op, input] as [OpName, number]);
  const [op, input] = edges[k];
  const other = edges[k % 2 === 0 ? k + 1 : k - 1][1];
  const inputs = Array.from({ length: node + 2 }, (_, i) => i).filter((i) => i !== input && i !== other);
  if (random() < 0.5 || inputs.length === 0) edges[k] = [pick(opsOf(type).filter((o) => o !== 'none' && o !== op)), input];
  else {
    edges[k] = [op, pick(inputs)];
    const pair = [edges[2 * node], edges[2 * node + 1]].sort((a, b) => a[1] - b[1]);
    [edges[2 * node], edges[2 * node + 1]] = pair;
  }
  const mutated: CellGenotype = { edges, concat: [...cell.concat] };
  return { format: g.format, cells: { ...g.cells, [type]: mutated } };
}

export interface Evaluated {
  genotype: Genotype;
  /** Higher is better (held-out accuracy). */
  fitness: number;
}

/**
 * Candidate `index`: random while fewer than `population` have been evaluated, else a mutation of the tournament's
 * winner among the `population` most recent of `history` (ties go to the younger). `parent`: its index in `history`.
 */
export function proposeEvolution(
  history: readonly Evaluated[],
  index: number,
  c: Pick<EvolutionConfig, 'population' | 'sample'>,
  seed: number,
): { genotype: Genotype; parent?: number } {
  if (history.length < c.population) return { genotype: candidateGenotype(seed, index) };
  const rng = createRng(deriveSeed(seed, 'evolution', index));
  const first = history.length - c.population;
  let parent = -1;
  for (let s = 0; s < c.sample; s++) {
    const i = first + Math.floor(rng.next() * c.population);
    if (parent < 0 || history[i].fitness > history[parent].fitness || (history[i].fitness === history[parent].fitness && i > parent)) parent = i;
  }
  return { genotype: mutate(history[parent].genotype, rng.next), parent };
}

/** Regularized evolution on its own: mutations, tournaments, aging; and that it climbs a fitness random search does not. */
import { CELL_TYPES } from '../search-space/cell-types';
import { genotypeSchema, type Genotype } from '../search-space/genotype';
import { createRng } from '@pvnas/base';
import { candidateGenotype } from './training-free';
import { mutate, proposeEvolution, type Evaluated } from './evolution';

const edgesOf = (g: Genotype) => CELL_TYPES.flatMap((t) => g.cells[t].edges.map(([op, input], k) => `${t}/${k}:${op}(${input})`));

describe('regularized evolution', () => {
  it('a mutation changes one edge of one cell, its op or its input, and keeps the genotype valid', () => {
    const rng = createRng(7);
    let ops = 0;
    let inputs = 0;
    for (let i = 0; i < 200; i++) {
      const g = candidateGenotype(3, i);
      const m = mutate(g, rng.next);
      expect(() => genotypeSchema.parse(m)).not.toThrow();
      const [a, b] = [edgesOf(g), edgesOf(m)];
      const changed = a.filter((e, k) => e !== b[k]);
      // an input change may reorder the node's pair: one or two entries differ, all in one node of one cell
      expect(changed.length).toBeGreaterThanOrEqual(1);
      expect(changed.length).toBeLessThanOrEqual(2);
      for (const t of CELL_TYPES) {
        const e = m.cells[t].edges;
        for (let n = 0; n < 4; n++) {
          expect(e[2 * n][1]).toBeLessThan(e[2 * n + 1][1]); // two distinct inputs, in order
          expect(e[2 * n + 1][1]).toBeLessThanOrEqual(n + 1);
        }
      }
      const opsBefore = CELL_TYPES.flatMap((t) => g.cells[t].edges.map(([op]) => op))
        .sort()
        .join();
      const opsAfter = CELL_TYPES.flatMap((t) => m.cells[t].edges.map(([op]) => op))
        .sort()
        .join();
      if (opsBefore !== opsAfter) ops++;
      else inputs++;
    }
    expect(ops).toBeGreaterThan(60);
    expect(inputs).toBeGreaterThan(60);
  });

  it('proposes random candidates until the population is full, then mutations of a recent tournament winner; the same history gives the same child', () => {
    const history: Evaluated[] = Array.from({ length: 5 }, (_, i) => ({ genotype: candidateGenotype(1, i), fitness: i === 3 ? 1 : 0 }));
    expect(proposeEvolution(history.slice(0, 3), 3, { population: 4, sample: 2 }, 1)).toEqual({ genotype: candidateGenotype(1, 3) });
    const a = proposeEvolution(history, 5, { population: 4, sample: 4 }, 1);
    expect(a).toEqual(proposeEvolution(history, 5, { population: 4, sample: 4 }, 1));
    expect(a.parent).toBeGreaterThanOrEqual(1); // only the 4 most recent compete: index 0 has aged out
    // 8 draws (with replacement) from 4 members almost always include the fittest, index 3
    const wins = Array.from({ length: 20 }, (_, i) => proposeEvolution(history, 5 + i, { population: 4, sample: 8 }, 1).parent);
    expect(wins.filter((p) => p === 3).length).toBeGreaterThan(15);
  });

  it('climbs a fitness that random search does not (the count of separable convolutions), seed for seed', () => {
    const fitness = (g: Genotype) => CELL_TYPES.reduce((n, t) => n + g.cells[t].edges.filter(([op]) => op === 'sep_conv_1x3x3').length, 0);
    const run = (evolve: boolean): number[] => {
      const history: Evaluated[] = [];
      for (let i = 0; i < 300; i++) {
        const genotype = evolve ? proposeEvolution(history, i, { population: 20, sample: 5 }, 11).genotype : candidateGenotype(11, i);
        history.push({ genotype, fitness: fitness(genotype) });
      }
      return history.map((h) => h.fitness);
    };
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    const evolved = run(true).slice(-50);
    const random = run(false).slice(-50);
    expect(mean(evolved)).toBeGreaterThan(mean(random) + 5);
  });
});

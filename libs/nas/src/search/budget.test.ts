/** The cost budget: the derived network's GFLOPs, their expectation under the alphas, and the term that enforces it. */
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../backend/select';
import { loadTorchAddon } from '../backend/torch/native';
import { costTable, networkCost } from '../derived/cost';
import { CELL_TYPES, EDGES, NODES, opsOf, type CellType } from '../search-space/cell-types';
import { randomGenotype } from '../search-space/random-arch';
import { Adam } from '../train/optimizers';
import { budgetSchema, costTerm, expectedGflopsOf, genotypeGflops, targetShape } from './budget';

/** Alphas that put (nearly) all weight on op `pick(type)` on every edge. */
function alphasOn(pick: (t: CellType) => number): Record<CellType, tf.Variable> {
  return Object.fromEntries(
    CELL_TYPES.map((t) => [t, tf.variable(tf.mul(tf.oneHot(tf.fill([EDGES], pick(t), 'int32') as tf.Tensor1D, opsOf(t).length), 40) as tf.Tensor2D)]),
  ) as Record<CellType, tf.Variable>;
}

describe('cost budget', () => {
  const budget = budgetSchema.parse({ maxGflops: 15 });
  beforeAll(async () => {
    await selectBackend({ backend: loadTorchAddon().ok ? 'torch' : 'wasm', log: null });
  });

  it('costs a genotype as networkCost does at the target (PV-NAS-L, 8x224x224, stem stride 4)', () => {
    const g = randomGenotype(4);
    expect(targetShape(budget)).toMatchObject({ channels: 64, frames: 8, size: 224, stemStride: 4, classes: 400 });
    expect(genotypeGflops(g, budget)).toBeCloseTo(networkCost(g, targetShape(budget)).macs / 1e9, 9);
  });

  it('expects the fixed part alone when every edge is none, and the kept share of each edge for a chosen op', () => {
    const { expected, fixed } = expectedGflopsOf(budget);
    const table = costTable(targetShape(budget));
    const none = alphasOn((t) => opsOf(t).indexOf('none'));
    const e0 = expected(none);
    expect(e0.dataSync()[0]).toBeCloseTo(fixed, 3);
    // every edge on sep_conv: fixed + sum over cells and edges of 2 / (node + 2) x its cost
    const sep = alphasOn((t) => opsOf(t).indexOf('sep_conv_1x3x3'));
    let want = fixed;
    for (const cell of table.cells) {
      let e = 0;
      for (let node = 0; node < NODES; node++)
        for (let input = 0; input < node + 2; input++) want += ((2 / (node + 2)) * cell.edges[e++].sep_conv_1x3x3.macs) / 1e9;
    }
    const e1 = expected(sep);
    expect(e1.dataSync()[0]).toBeCloseTo(want, 2);
    tf.dispose([e0, e1, ...Object.values(none), ...Object.values(sep)]);
  });

  it('is no force under the budget, and over it moves the alphas towards cheaper ops until the expectation falls', () => {
    const cheap = alphasOn((t) => opsOf(t).indexOf('max_pool_1x3x3'));
    const term = costTerm(budget)!;
    const under = term(cheap);
    expect(under.expectedGflops!.dataSync()[0]).toBeLessThan(15);
    expect(under.grads.every((g) => tf.max(tf.abs(g)).dataSync()[0] === 0)).toBe(true);
    // start from uniform alphas (above the budget) and let Adam follow the term alone
    const uniform = Object.fromEntries(CELL_TYPES.map((t) => [t, tf.variable(tf.zeros([EDGES, opsOf(t).length]))])) as Record<CellType, tf.Variable>;
    const adam = new Adam({ lr: 0.1, beta1: 0, beta2: 0.999, eps: 1e-8, weightDecay: 0 });
    const first = term(uniform);
    const e0 = first.expectedGflops!.dataSync()[0];
    expect(e0).toBeGreaterThan(15);
    tf.dispose([first.expectedGflops, ...first.grads]);
    let e = e0;
    for (let k = 0; k < 20; k++) {
      const r = term(uniform);
      e = r.expectedGflops!.dataSync()[0];
      adam.step(
        CELL_TYPES.map((t) => uniform[t]),
        r.grads,
      );
      tf.dispose([r.expectedGflops, ...r.grads]);
    }
    expect(e).toBeLessThan(e0 - 1);
    adam.dispose();
    tf.dispose([under.expectedGflops, ...under.grads, ...Object.values(cheap), ...Object.values(uniform)]);
  });

  it('no budget, no term', () => {
    expect(costTerm(budgetSchema.parse({}))).toBeUndefined();
  });
});

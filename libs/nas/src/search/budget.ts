/**
 * A cost budget for every strategy (TinyVideoNet, FBNet): `maxGflops` bounds the GFLOPs (multiply-accumulates, 1e9,
 * the paper's unit) of the network the search is for, the retraining's derived network at `target` (PV-NAS-L on
 * 8x224x224 clips by default), whatever the network searched on.
 *
 *  - darts and sampling add a differentiable term to the alphas' loss: weight * max(0, E / maxGflops - 1), where E is
 *    the derived network's expected GFLOPs under softmax(alpha): every op's cost on every edge of every cell of the
 *    target network (derived/cost.ts), weighted by its probability and by the chance that derivation keeps the edge
 *    (2 of a node's inputs: 2 / (node + 2)). Below the budget it is 0 and the search is the plain one.
 *  - training-free (and the candidate strategies to come) reject candidates over the budget before scoring them.
 * The genotype a search ends with is costed exactly, and the report says whether it keeps the budget.
 */
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { costTable, networkCost, type NetworkShape } from '../derived/cost';
import { defaultLayout, PRESETS } from '../derived/layout';
import { CELL_TYPES, NODES, opsOf, type CellType } from '../search-space/cell-types';
import type { Genotype } from '../search-space/genotype';

export const budgetSchema = z.strictObject({
  /** Largest GFLOPs of the derived network at `target`; null: no budget. */
  maxGflops: z.number().positive().nullable().default(null),
  /** Weight of darts' and sampling's cost term (in units of the loss per budget exceeded). */
  weight: z.number().min(0).default(1),
  /** The network the budget is for: the retraining's. */
  target: z
    .strictObject({
      preset: z.enum(['L', 'M']).default('L'),
      frames: z.number().int().min(1).default(8),
      size: z.number().int().min(8).default(224),
      stemStride: z.union([z.literal(1), z.literal(2), z.literal(4)]).default(4),
      classes: z.number().int().min(2).default(400),
    })
    .prefault({}),
});
export type Budget = z.infer<typeof budgetSchema>;

export function targetShape(b: Budget): NetworkShape {
  const preset = PRESETS[b.target.preset];
  return { ...b.target, channels: preset.channels, layout: defaultLayout(preset.repeats) };
}

/** The derived network's GFLOPs at the budget's target. */
export function genotypeGflops(g: Genotype, b: Budget): number {
  return networkCost(g, targetShape(b)).macs / 1e9;
}

/**
 * The expected GFLOPs of the derived network under softmax(alpha), as a function of the alphas (differentiable),
 * from a table computed once: per cell type, each op's GFLOPs on each edge summed over the target's cells of that
 * type and weighted by the chance derivation keeps the edge, plus the fixed part.
 */
export function expectedGflopsOf(b: Budget): {
  fixed: number;
  weights: Record<CellType, number[][]>;
  expected: (alphas: Record<CellType, tf.Tensor>) => tf.Scalar;
} {
  const table = costTable(targetShape(b));
  const weights = Object.fromEntries(CELL_TYPES.map((t) => [t, Array.from({ length: 14 }, () => opsOf(t).map(() => 0))])) as Record<CellType, number[][]>;
  const keep: number[] = [];
  for (let node = 0; node < NODES; node++) for (let input = 0; input < node + 2; input++) keep.push(2 / (node + 2));
  for (const cell of table.cells) {
    cell.edges.forEach((ops, e) => opsOf(cell.type).forEach((op, k) => (weights[cell.type][e][k] += (keep[e] * ops[op].macs) / 1e9)));
  }
  const fixed = table.fixed.macs / 1e9;
  return {
    fixed,
    weights,
    expected: (alphas) =>
      tf.tidy(
        () => tf.addN([tf.scalar(fixed), ...CELL_TYPES.map((t) => tf.sum(tf.mul(tf.softmax(alphas[t] as tf.Tensor2D), tf.tensor2d(weights[t]))))]) as tf.Scalar,
      ),
  };
}

/** What a step adds to the alphas' gradients, and the expected GFLOPs (a scalar on the device, read with the step's metrics). */
export type AlphaCost = (alphas: Record<CellType, tf.Variable>) => { expectedGflops: tf.Scalar; grads: tf.Tensor[] };

/**
 * darts' and sampling's cost term, weight * max(0, E / maxGflops - 1): its gradients with respect to the alphas (in
 * CELL_TYPES order) and E; undefined without a budget.
 */
export function costTerm(b: Budget): AlphaCost | undefined {
  if (b.maxGflops === null) return undefined;
  const max = b.maxGflops;
  const { expected } = expectedGflopsOf(b);
  return (alphas) => {
    const vars = CELL_TYPES.map((t) => alphas[t]);
    let expectedGflops: tf.Scalar | undefined;
    const { value, grads } = tf.variableGrads(() => {
      const e = expected(alphas);
      expectedGflops = tf.keep(tf.clone(e));
      return tf.mul(b.weight, tf.relu(tf.sub(tf.div(e, max), 1))) as tf.Scalar;
    }, vars);
    value.dispose();
    return { expectedGflops: expectedGflops as tf.Scalar, grads: vars.map((v) => grads[v.name]) };
  };
}

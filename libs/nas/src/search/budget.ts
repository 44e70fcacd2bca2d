/**
 * A cost budget for every strategy (TinyVideoNet, FBNet): `maxGflops` bounds the GFLOPs (multiply-accumulates, 1e9,
 * the paper's unit), `maxMs` the milliseconds per clip on the running backend (latency.ts), of the network the search is for, the retraining's derived network at `target` (PV-NAS-L on
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
import { CELL_TYPES, EDGES, NODES, opsOf, type CellType } from '../search-space/cell-types';
import type { OpName } from '../operations';
import type { LatencyTable } from './latency';
import type { Genotype } from '../search-space/genotype';

export const budgetSchema = z.strictObject({
  /** Largest GFLOPs of the derived network at `target`; null: no budget. */
  maxGflops: z.number().positive().nullable().default(null),
  /** Largest milliseconds per clip (batch 1, inference) of the derived network at `target` on the running backend. */
  maxMs: z.number().positive().nullable().default(null),
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

/** Per cell type, [edge][op] weights summed over the target's cells of that type, times the chance the edge is kept. */
function keptWeights(cells: ReadonlyArray<{ type: CellType; edges: ReadonlyArray<Partial<Record<OpName, number>>> }>): Record<CellType, number[][]> {
  const weights = Object.fromEntries(CELL_TYPES.map((t) => [t, Array.from({ length: EDGES }, () => opsOf(t).map(() => 0))])) as Record<CellType, number[][]>;
  const keep: number[] = [];
  for (let node = 0; node < NODES; node++) for (let input = 0; input < node + 2; input++) keep.push(2 / (node + 2));
  for (const cell of cells) cell.edges.forEach((ops, e) => opsOf(cell.type).forEach((op, k) => (weights[cell.type][e][k] += keep[e] * (ops[op] ?? 0))));
  return weights;
}

/** fixed + sum over types of softmax(alpha) * weights: an expectation under the alphas, differentiable. */
function expectation(fixed: number, weights: Record<CellType, number[][]>): (alphas: Record<CellType, tf.Tensor>) => tf.Scalar {
  return (alphas) =>
    tf.tidy(
      () => tf.addN([tf.scalar(fixed), ...CELL_TYPES.map((t) => tf.sum(tf.mul(tf.softmax(alphas[t] as tf.Tensor2D), tf.tensor2d(weights[t]))))]) as tf.Scalar,
    );
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
  const weights = keptWeights(
    table.cells.map(({ type, edges }) => ({ type, edges: edges.map((ops) => Object.fromEntries(Object.entries(ops).map(([op, c]) => [op, c.macs / 1e9]))) })),
  );
  const fixed = table.fixed.macs / 1e9;
  return { fixed, weights, expected: expectation(fixed, weights) };
}

/** The expected milliseconds per clip under softmax(alpha), from a measured latency table (latency.ts). */
export function expectedMsOf(table: LatencyTable): (alphas: Record<CellType, tf.Tensor>) => tf.Scalar {
  return expectation(table.fixedMs, keptWeights(table.cells));
}

/**
 * What a step adds to the alphas' gradients, and the expectations under the budget (scalars on the device, read with
 * the step's metrics).
 */
export type AlphaCost = (alphas: Record<CellType, tf.Variable>) => { expectedGflops?: tf.Scalar; expectedMs?: tf.Scalar; grads: tf.Tensor[] };

/**
 * darts' and sampling's cost term, weight * (max(0, E_gflops / maxGflops - 1) + max(0, E_ms / maxMs - 1)) for the
 * budgets given: its gradients with respect to the alphas (in CELL_TYPES order) and the expectations; undefined without
 * a budget. `latency`: the table `maxMs` needs (latency.ts), measured on the running backend.
 */
export function costTerm(b: Budget, latency?: LatencyTable): AlphaCost | undefined {
  const terms: Array<{ key: 'expectedGflops' | 'expectedMs'; max: number; expected: (alphas: Record<CellType, tf.Tensor>) => tf.Scalar }> = [];
  if (b.maxGflops !== null) terms.push({ key: 'expectedGflops', max: b.maxGflops, expected: expectedGflopsOf(b).expected });
  if (b.maxMs !== null) {
    if (!latency) throw new Error('budget.maxMs needs a latency table of the target network (latency.ts latencyTable)');
    terms.push({ key: 'expectedMs', max: b.maxMs, expected: expectedMsOf(latency) });
  }
  if (!terms.length) return undefined;
  return (alphas) => {
    const vars = CELL_TYPES.map((t) => alphas[t]);
    const seen: { expectedGflops?: tf.Scalar; expectedMs?: tf.Scalar } = {};
    const { value, grads } = tf.variableGrads(
      () =>
        tf.addN(
          terms.map(({ key, max, expected }) => {
            const e = expected(alphas);
            seen[key] = tf.keep(tf.clone(e));
            return tf.mul(b.weight, tf.relu(tf.sub(tf.div(e, max), 1)));
          }),
        ) as tf.Scalar,
      vars,
    );
    value.dispose();
    return { ...seen, grads: vars.map((v) => grads[v.name]) };
  };
}

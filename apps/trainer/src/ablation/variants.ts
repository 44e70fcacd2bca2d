/**
 * The genotypes the ablation compares, and what it counts in them. Pure functions: the runner materialises
 * them as genotype files before their retraining starts.
 *
 *   stop early   the genotype of the alpha snapshot after epoch round(f x epochs) (paper Tab. 3)
 *   2D           the searched genotype with its spatial cells in place of its temporal ones: the same
 *                network, cell for cell, with no op that looks across frames
 */
import { CELL_TYPES, CONV_OPS, opsOf, TEMPORAL_OPS, type CellType, type Genotype, type OpName } from '@pvnas/nas';

/** Ops without parameters (DARTS' failure mode under a decaying learning rate: cells of skips and pools). */
export const PARAM_FREE_OPS: readonly OpName[] = ['skip_connect', 'avg_pool_1x3x3', 'max_pool_1x3x3'];
export const TEMPORAL_CONV_OPS: readonly OpName[] = TEMPORAL_OPS.filter((o) => o.startsWith('temporal_conv'));

/** The search epochs whose alpha snapshots the stop-early genotypes come from: round(f x epochs), each >= 1. */
export function stopEarlyEpochs(epochs: number, fractions: readonly number[]): number[] {
  return fractions.map((f) => Math.min(epochs, Math.max(1, Math.round(f * epochs))));
}

/** `g` with T-NC := S-NC and T-RC := S-RC: the same cells, no temporal op anywhere. */
export function spatialOnly(g: Genotype): Genotype {
  return {
    ...g,
    cells: { ...g.cells, temporal_normal: g.cells.spatial_normal, temporal_reduce: g.cells.spatial_reduce },
    source: { ...g.source, from: `${g.source?.from ?? 'searched'}, spatial cells only` },
  };
}

export interface CellCounts {
  /** Edges with a parameter-free op (skip, pools), of 8. */
  paramFree: number;
  convs: number;
  temporalConvs: number;
}

export function cellCounts(g: Genotype): Record<CellType, CellCounts> {
  return Object.fromEntries(
    CELL_TYPES.map((t) => {
      const ops = g.cells[t].edges.map(([op]) => op);
      return [
        t,
        {
          paramFree: ops.filter((o) => PARAM_FREE_OPS.includes(o)).length,
          convs: ops.filter((o) => CONV_OPS.includes(o)).length,
          temporalConvs: ops.filter((o) => TEMPORAL_CONV_OPS.includes(o)).length,
        },
      ];
    }),
  ) as Record<CellType, CellCounts>;
}

/**
 * The share of the parameter-free ops in a cell's softmaxed alphas, over the non-`none` ops, averaged over its
 * 14 edges (`rows`: one softmax row an edge, columns in the library's op order): the alpha trajectory the
 * schedule claim is about.
 */
export function paramFreeShare(rows: readonly (readonly number[])[], t: CellType): number {
  const ops = opsOf(t);
  const free = PARAM_FREE_OPS.map((o) => ops.indexOf(o));
  const none = ops.indexOf('none');
  const shares = rows.map((r) => free.reduce((s, i) => s + r[i]!, 0) / Math.max(1e-12, 1 - r[none]!));
  return shares.reduce((a, b) => a + b, 0) / shares.length;
}

/** Mean and sample standard deviation (0 for one value; NaN for none). */
export function meanSd(xs: readonly number[]): { mean: number; sd: number; n: number } {
  const n = xs.length;
  if (n === 0) return { mean: NaN, sd: NaN, n };
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, sd, n };
}

/**
 * Genotype and alphas files (docs/architecture.md, "File formats"), zod-checked on the way in. A genotype holds, per cell type, two
 * [op, input] pairs per intermediate node (8 pairs, node by node) and the concatenated states.
 */
import { z } from 'zod';
import { readJsonFile, writeJsonFile } from '@pvnas/base/node';
import { CELL_TYPES, EDGES, NODES, opsOf, type CellType } from './cell-types';
import { SPATIAL_OPS, TEMPORAL_OPS, type OpName } from '../operations';

export const GENOTYPE_FORMAT = 'pvnas-genotype/1';

const opName = z.enum(TEMPORAL_OPS);
const cellGenotypeSchema = z.object({
  edges: z.array(z.tuple([opName, z.number().int().min(0)])).length(2 * NODES),
  concat: z.array(z.number().int().min(2)).min(1),
});

export const genotypeSchema = z
  .object({
    format: z.literal(GENOTYPE_FORMAT),
    cells: z.object(Object.fromEntries(CELL_TYPES.map((t) => [t, cellGenotypeSchema])) as Record<CellType, typeof cellGenotypeSchema>),
    source: z
      .object({ run: z.string().optional(), epoch: z.number().int().optional(), seed: z.number().int().optional(), from: z.string().optional() })
      .partial()
      .optional(),
  })
  .superRefine((g, ctx) => {
    for (const t of CELL_TYPES) {
      const allowed = new Set<OpName>(opsOf(t));
      g.cells[t].edges.forEach(([op, input], k) => {
        const node = Math.floor(k / 2);
        if (!allowed.has(op))
          ctx.addIssue({ code: 'custom', path: ['cells', t, 'edges', k], message: `${op} is not a ${t.split('_')[0]} op (${[...allowed].join(', ')})` });
        if (op === 'none') ctx.addIssue({ code: 'custom', path: ['cells', t, 'edges', k], message: 'a derived edge cannot be none' });
        if (input > node + 1)
          ctx.addIssue({ code: 'custom', path: ['cells', t, 'edges', k], message: `node ${node + 2} can take states 0..${node + 1}, not ${input}` });
      });
      for (const s of g.cells[t].concat)
        if (s > NODES + 1) ctx.addIssue({ code: 'custom', path: ['cells', t, 'concat'], message: `state ${s} does not exist (2..${NODES + 1})` });
    }
  });

export type Genotype = z.infer<typeof genotypeSchema>;
export type CellGenotype = Genotype['cells'][CellType];

const row = (n: number) => z.array(z.number().finite()).length(n);
const alphaRows = (n: number) => z.array(row(n)).length(EDGES);

/** A list of op names holding exactly `ops`, in any order. */
function opOrder(ops: readonly OpName[], kind: string) {
  return z.array(z.string()).superRefine((names, ctx) => {
    const missing = ops.filter((o) => !names.includes(o));
    const extra = names.filter((n, i) => !(ops as readonly string[]).includes(n) || names.indexOf(n) !== i);
    if (missing.length || extra.length) {
      ctx.addIssue({
        code: 'custom',
        message: `must name each ${kind} op once (${ops.join(', ')})${missing.length ? `; missing ${missing.join(', ')}` : ''}${extra.length ? `; unknown or repeated ${extra.join(', ')}` : ''}`,
      });
    }
  });
}

/**
 * An alphas file: `ops.spatial` / `ops.temporal` name the column order of the rows, in any order; reading
 * puts the columns in this library's op order (SPATIAL_OPS, TEMPORAL_OPS), writing always uses it.
 */
export const alphasSchema = z
  .object({
    ops: z.object({ spatial: opOrder(SPATIAL_OPS, 'spatial'), temporal: opOrder(TEMPORAL_OPS, 'temporal') }),
    spatial_normal: alphaRows(SPATIAL_OPS.length),
    spatial_reduce: alphaRows(SPATIAL_OPS.length),
    temporal_normal: alphaRows(TEMPORAL_OPS.length),
    temporal_reduce: alphaRows(TEMPORAL_OPS.length),
    source: z.object({ run: z.string().optional(), epoch: z.number().int().optional() }).partial().optional(),
  })
  .transform((a) => {
    const reorder = (rows: number[][], names: string[], canonical: readonly OpName[]) => rows.map((r) => canonical.map((op) => r[names.indexOf(op)]!));
    return {
      ...a,
      ops: { spatial: [...SPATIAL_OPS], temporal: [...TEMPORAL_OPS] },
      spatial_normal: reorder(a.spatial_normal, a.ops.spatial, SPATIAL_OPS),
      spatial_reduce: reorder(a.spatial_reduce, a.ops.spatial, SPATIAL_OPS),
      temporal_normal: reorder(a.temporal_normal, a.ops.temporal, TEMPORAL_OPS),
      temporal_reduce: reorder(a.temporal_reduce, a.ops.temporal, TEMPORAL_OPS),
    };
  });
export type Alphas = z.output<typeof alphasSchema>;

export const readGenotype = (file: string): Genotype => readJsonFile(file, genotypeSchema, 'genotype');
export const readAlphas = (file: string): Alphas => readJsonFile(file, alphasSchema, 'alphas file');

export function writeGenotype(file: string, g: Genotype): void {
  writeJsonFile(file, genotypeSchema.parse(g));
}

export function writeAlphas(file: string, a: Alphas): void {
  writeJsonFile(file, alphasSchema.parse(a));
}

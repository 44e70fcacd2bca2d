/**
 * The four cell types of the search space (S-NC, S-RC, T-NC, T-RC), their candidate ops, and the shape of a
 * cell: 4 intermediate nodes over 14 mixed edges, as DARTS.
 */
import { SPATIAL_OPS, TEMPORAL_OPS, type OpName } from '../operations';

export const CELL_TYPES = ['spatial_normal', 'spatial_reduce', 'temporal_normal', 'temporal_reduce'] as const;
export type CellType = (typeof CELL_TYPES)[number];

export const isReduction = (t: CellType): boolean => t.endsWith('_reduce');
export const opsOf = (t: CellType): readonly OpName[] => (t.startsWith('spatial') ? SPATIAL_OPS : TEMPORAL_OPS);

/** Intermediate nodes per cell and the mixed edges they take: 2 + 3 + 4 + 5. */
export const NODES = 4;
export const EDGES = 14;

/** The temporal stride of a cell's reducing edges: the configured one for T-RC, 1 for every other cell. */
export const cellTemporalStride = (t: CellType, temporalStride = 1): number => (t === 'temporal_reduce' ? temporalStride : 1);

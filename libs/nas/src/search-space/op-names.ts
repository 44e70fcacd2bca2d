/** Candidate operations (DESIGN.md), in the order of the alpha columns. */
export const SPATIAL_OPS = ['none', 'skip_connect', 'avg_pool_1x3x3', 'max_pool_1x3x3', 'sep_conv_1x3x3', 'dil_conv_1x3x3'] as const;
export const TEMPORAL_OPS = [...SPATIAL_OPS, 'temporal_conv_3+3x3', 'temporal_conv_3+1x1'] as const;

export type OpName = (typeof TEMPORAL_OPS)[number];

export const CELL_TYPES = ['spatial_normal', 'spatial_reduce', 'temporal_normal', 'temporal_reduce'] as const;
export type CellType = (typeof CELL_TYPES)[number];

export const isReduction = (t: CellType): boolean => t.endsWith('_reduce');
export const opsOf = (t: CellType): readonly OpName[] => (t.startsWith('spatial') ? SPATIAL_OPS : TEMPORAL_OPS);

/** Intermediate nodes per cell and the mixed edges they take: 2 + 3 + 4 + 5. */
export const NODES = 4;
export const EDGES = 14;

/** The temporal stride of a cell's reducing edges: the configured one for T-RC, 1 for every other cell. */
export const cellTemporalStride = (t: CellType, temporalStride = 1): number => (t === 'temporal_reduce' ? temporalStride : 1);

import { type CellType } from '../search-space/cell-types';
/**
 * Derived-network layouts (paper Fig. 5b): normal cells repeated K times between reductions,
 * `S-NC xK, S-RC, S-NC xK, S-RC, T-NC xK, T-RC, T-NC xK`, channels doubling at each reduction.
 * PV-NAS-L: K = 1, 64 initial channels; PV-NAS-M: K = 2, 100.
 */

export const PRESETS = { L: { repeats: 1, channels: 64 }, M: { repeats: 2, channels: 100 } } as const;
export type PresetName = keyof typeof PRESETS;

export function defaultLayout(repeats: number): CellType[] {
  const normal = (t: CellType): CellType[] => Array.from({ length: repeats }, () => t);
  return [
    ...normal('spatial_normal'),
    'spatial_reduce',
    ...normal('spatial_normal'),
    'spatial_reduce',
    ...normal('temporal_normal'),
    'temporal_reduce',
    ...normal('temporal_normal'),
  ];
}

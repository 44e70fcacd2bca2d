/**
 * How the architecture weights moved: softmax over ops of every edge, per cell category, at a sequence
 * of points. From the metrics when their records carry `alphas` (per step, else per epoch end; x = global
 * step), else from the run's alphas snapshots `alphas/epoch-NNN.json` (raw alphas, softmaxed here; x = epoch,
 * 0 = the initial alphas).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CELL_TYPES, EDGES, opsOf, readAlphas, type CellType } from '@pvnas/nas';
import type { AlphaSoftmax, MetricRecord } from '../run/metrics';
import { softmax as softmaxOfLogits } from '@pvnas/base';

export interface AlphaSnapshot {
  x: number;
  softmax: AlphaSoftmax;
}

export interface AlphaTrajectory {
  axis: 'step' | 'epoch';
  snapshots: AlphaSnapshot[];
}

export const ALPHAS_DIR = 'alphas';
const ALPHAS_FILE = /^epoch-(\d{3,})\.json$/;

/** Softmax of one row of raw alphas (the library's, stable for large values). */
export function softmax(row: readonly number[]): number[] {
  return Array.from(softmaxOfLogits(row));
}

function checkShape(softmaxes: AlphaSoftmax, where: string): void {
  for (const category of CELL_TYPES) {
    const rows = softmaxes[category];
    const width = opsOf(category).length;
    if (rows.length !== EDGES || rows.some((r) => r.length !== width)) {
      throw new Error(`${where}: ${category} alphas must be ${EDGES} rows of ${width} ops, got ${rows.length} rows of ${rows.map((r) => r.length).join('/')}`);
    }
  }
}

/** Step records' alphas if any carry them, else epoch records'; null when none does (a retrain run). */
export function trajectoryFromMetrics(records: readonly MetricRecord[], metricsFile: string): AlphaTrajectory | null {
  const withAlphas = (kind: MetricRecord['kind']) => records.filter((r) => r.kind === kind && r.alphas !== undefined).sort((a, b) => a.step - b.step);
  const chosen = withAlphas('step').length > 0 ? withAlphas('step') : withAlphas('epoch');
  if (chosen.length === 0) return null;
  const snapshots = chosen.map((r) => {
    const softmaxes = r.alphas as AlphaSoftmax;
    checkShape(softmaxes, `metrics ${metricsFile}: ${r.kind} record at step ${r.step}`);
    return { x: r.step, softmax: softmaxes };
  });
  return { axis: 'step', snapshots };
}

/** The run's alphas snapshots, by epoch. */
export function listAlphasFiles(runDir: string): Array<{ epoch: number; file: string }> {
  const dir = path.join(runDir, ALPHAS_DIR);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .map((name) => ({ name, match: ALPHAS_FILE.exec(name) }))
    .filter((f): f is { name: string; match: RegExpExecArray } => f.match !== null)
    .map((f) => ({ epoch: Number(f.match[1]), file: path.join(dir, f.name) }))
    .sort((a, b) => a.epoch - b.epoch);
}

export function trajectoryFromAlphasFiles(runDir: string): AlphaTrajectory | null {
  const files = listAlphasFiles(runDir);
  if (files.length === 0) return null;
  const snapshots = files.map(({ epoch, file }) => {
    const alphas = readAlphas(file);
    const softmaxes = Object.fromEntries(CELL_TYPES.map((c) => [c, alphas[c].map(softmax)])) as AlphaSoftmax;
    return { x: epoch, softmax: softmaxes };
  });
  return { axis: 'epoch', snapshots };
}

/**
 * At most `maxSnapshots` points: consecutive snapshots averaged in buckets (x and every weight), so that a
 * 10^5-step search plots as fast as a short one.
 */
export function downsampleTrajectory(trajectory: AlphaTrajectory, maxSnapshots: number): AlphaTrajectory {
  const { snapshots } = trajectory;
  if (snapshots.length <= maxSnapshots) return trajectory;
  const size = Math.ceil(snapshots.length / maxSnapshots);
  const out: AlphaSnapshot[] = [];
  for (let start = 0; start < snapshots.length; start += size) {
    const bucket = snapshots.slice(start, start + size);
    const meanRows = (category: CellType) =>
      bucket[0].softmax[category].map((row, e) => row.map((_, j) => bucket.reduce((sum, s) => sum + s.softmax[category][e][j], 0) / bucket.length));
    out.push({
      x: bucket.reduce((sum, s) => sum + s.x, 0) / bucket.length,
      softmax: Object.fromEntries(CELL_TYPES.map((c) => [c, meanRows(c)])) as AlphaSoftmax,
    });
  }
  return { axis: trajectory.axis, snapshots: out };
}

/** The largest weight any edge gives any op at any point. */
export function maxWeight(trajectory: AlphaTrajectory, category: CellType): number {
  let max = 0;
  for (const s of trajectory.snapshots) for (const row of s.softmax[category]) for (const w of row) if (w > max) max = w;
  return max;
}

/** Mean over the 14 edges of one op's weight, at every point. */
export function meanOpWeight(trajectory: AlphaTrajectory, category: CellType, op: number): Array<{ x: number; y: number }> {
  return trajectory.snapshots.map((s) => ({ x: s.x, y: s.softmax[category].reduce((sum, row) => sum + row[op], 0) / EDGES }));
}

/** One edge's weight of one op, at every point. */
export function edgeOpWeight(trajectory: AlphaTrajectory, category: CellType, edge: number, op: number): Array<{ x: number; y: number }> {
  return trajectory.snapshots.map((s) => ({ x: s.x, y: s.softmax[category][edge][op] }));
}

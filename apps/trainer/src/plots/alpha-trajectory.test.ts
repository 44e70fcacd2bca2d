import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CELL_TYPES } from '@pvnas/nas';
import type { AlphaSoftmax, MetricRecord } from '../run/metrics';
import {
  downsampleTrajectory,
  edgeOpWeight,
  maxWeight,
  meanOpWeight,
  softmax,
  trajectoryFromAlphasFiles,
  trajectoryFromMetrics,
  type AlphaTrajectory,
} from './alpha-trajectory';
import { fakeRawAlphas, makeFakeRun, softmaxOf } from './test-fixtures';

const uniform = (): AlphaSoftmax => softmaxOf(fakeRawAlphas(0, 0));
const record = (kind: 'step' | 'epoch', step: number, alphas?: AlphaSoftmax): MetricRecord =>
  kind === 'step'
    ? { kind, phase: 'search', epoch: 0, step, loss: 1, acc: 0, lr: { weights: 0.1 }, clipsPerSec: 1, dataWait: 0, alphas, time: '' }
    : { kind, phase: 'search', epoch: 0, step, loss: 1, acc: 0, lr: { weights: 0.1 }, clipsPerSec: 1, dataWait: 0, skipped: 0, alphas, time: '' };

describe('alpha trajectories', () => {
  it('softmax: sums to 1, keeps the order, does not overflow', () => {
    const s = softmax([1000, 1001, 999]);
    expect(s.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(s[1]).toBeGreaterThan(s[0]);
    expect(s[0]).toBeGreaterThan(s[2]);
  });

  it('from metrics: step records when they carry alphas, else epoch records (x = global step); none: null', () => {
    const steps = [record('step', 2, uniform()), record('step', 1, uniform()), record('epoch', 2, uniform())];
    expect(trajectoryFromMetrics(steps, 'm')?.snapshots.map((s) => s.x)).toEqual([1, 2]);
    const epochs = [record('step', 1), record('epoch', 5, uniform())];
    expect(trajectoryFromMetrics(epochs, 'm')).toMatchObject({ axis: 'step', snapshots: [{ x: 5 }] });
    expect(trajectoryFromMetrics([record('step', 1)], 'm')).toBeNull();
  });

  it('from metrics: alphas of the wrong shape are refused, naming the file and step', () => {
    const bad = { ...uniform(), temporal_normal: uniform().spatial_normal };
    expect(() => trajectoryFromMetrics([record('step', 7, bad)], '/r/metrics.jsonl')).toThrow(
      'metrics /r/metrics.jsonl: step record at step 7: temporal_normal alphas must be 14 rows of 8 ops',
    );
  });

  it('from alphas files: softmax of each epoch-NNN.json, by epoch; other files are ignored', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pvnas-traj-'));
    try {
      expect(trajectoryFromAlphasFiles(dir)).toBeNull();
      makeFakeRun(dir, { epochs: 2 });
      fs.writeFileSync(path.join(dir, 'alphas', 'notes.json'), '{}');
      const t = trajectoryFromAlphasFiles(dir) as AlphaTrajectory;
      expect(t.axis).toBe('epoch');
      expect(t.snapshots.map((s) => s.x)).toEqual([0, 1, 2]);
      expect(t.snapshots[2].softmax).toEqual(softmaxOf(fakeRawAlphas(2, 2)));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('per op: mean over the 14 edges, one edge, the largest weight; long trajectories are bucket means', () => {
    const a = uniform(),
      b = softmaxOf(fakeRawAlphas(3, 0));
    const t: AlphaTrajectory = {
      axis: 'step',
      snapshots: [
        { x: 0, softmax: a },
        { x: 10, softmax: b },
        { x: 20, softmax: b },
      ],
    };
    const mean = meanOpWeight(t, 'temporal_normal', 6);
    expect(mean[1].y).toBeCloseTo(b.temporal_normal.reduce((s, row) => s + row[6], 0) / 14, 12);
    expect(edgeOpWeight(t, 'spatial_reduce', 13, 1).map((p) => p.y)).toEqual([a.spatial_reduce[13][1], b.spatial_reduce[13][1], b.spatial_reduce[13][1]]);
    expect(maxWeight(t, 'spatial_normal')).toBe(Math.max(...b.spatial_normal.flat()));
    const down = downsampleTrajectory(t, 2);
    expect(down.snapshots.map((s) => s.x)).toEqual([5, 20]);
    for (const c of CELL_TYPES) expect(down.snapshots[0].softmax[c][4][2]).toBeCloseTo((a[c][4][2] + b[c][4][2]) / 2, 12);
    expect(downsampleTrajectory(t, 3)).toBe(t);
  });
});

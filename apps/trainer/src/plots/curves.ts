/**
 * Training curves of one phase of a run, three panels sharing the step axis: loss (search: the weight
 * step's and the alpha step's), top-1 accuracy (per step, epoch means, validation at epoch ends) and the
 * learning rate(s) on a log axis. Epoch records are drawn as markers at the global step where the epoch ended.
 */
import type { EpochRecord, MetricRecord, Phase, StepRecord } from '../run/metrics';
import { FULL_CHART, legendWidth, renderChart, type Series } from './chart';
import { TABLEAU10 } from './colors';
import { downsample, type Point } from './downsample';
import { svgDocument } from './svg';

export const MAX_STEP_POINTS = 800;
const WIDTH = 960;
const PANEL_HEIGHT = 280;
const BLUE = TABLEAU10[0];
const ORANGE = TABLEAU10[1];
const RED = TABLEAU10[2];

export interface PhaseRecords {
  phase: Phase;
  steps: StepRecord[];
  epochs: EpochRecord[];
}

/** Records split by phase (a run folder normally holds one), each sorted by step / epoch. */
export function splitByPhase(records: readonly MetricRecord[]): PhaseRecords[] {
  const phases = [...new Set(records.map((r) => r.phase))];
  return phases.map((phase) => ({
    phase,
    steps: records.filter((r): r is StepRecord => r.kind === 'step' && r.phase === phase).sort((a, b) => a.step - b.step),
    epochs: records.filter((r): r is EpochRecord => r.kind === 'epoch' && r.phase === phase).sort((a, b) => a.epoch - b.epoch),
  }));
}

/** A per-step series, bucket-averaged when long; its name says so. */
function stepSeries(name: string, points: Point[], color: string, faint: boolean): Series {
  const kept = downsample(points, MAX_STEP_POINTS);
  const bucket = Math.ceil(points.length / Math.max(1, kept.length));
  const label = bucket > 1 ? `${name} (mean of ${bucket} steps)` : `${name} (step)`;
  return { name: label, color, points: kept, draw: 'line', faint };
}

const epochSeries = (name: string, points: Point[], color: string): Series => ({ name, color, points, draw: 'line+markers' });

function lossSeries({ phase, steps, epochs }: PhaseRecords): Series[] {
  const weightLoss = phase === 'search' ? 'weight loss' : 'train loss';
  const series: Series[] = [];
  if (steps.length > 0)
    series.push(
      stepSeries(
        weightLoss,
        steps.map((r) => ({ x: r.step, y: r.loss })),
        BLUE,
        epochs.length > 0,
      ),
    );
  const alphaSteps = steps.filter((r) => r.alphaLoss !== undefined);
  if (alphaSteps.length > 0)
    series.push(
      stepSeries(
        'alpha loss',
        alphaSteps.map((r) => ({ x: r.step, y: r.alphaLoss as number })),
        ORANGE,
        false,
      ),
    );
  if (epochs.length > 0)
    series.push(
      epochSeries(
        `${weightLoss} (epoch mean)`,
        epochs.map((r) => ({ x: r.step, y: r.loss })),
        BLUE,
      ),
    );
  return series;
}

function accuracySeries({ steps, epochs }: PhaseRecords): Series[] {
  const series: Series[] = [];
  if (steps.length > 0)
    series.push(
      stepSeries(
        'train acc',
        steps.map((r) => ({ x: r.step, y: r.acc })),
        BLUE,
        epochs.length > 0,
      ),
    );
  if (epochs.length > 0)
    series.push(
      epochSeries(
        'train acc (epoch mean)',
        epochs.map((r) => ({ x: r.step, y: r.acc })),
        BLUE,
      ),
    );
  const validated = epochs.filter((r) => r.valAcc !== undefined);
  if (validated.length > 0)
    series.push(
      epochSeries(
        'val acc (epoch end)',
        validated.map((r) => ({ x: r.step, y: r.valAcc as number })),
        RED,
      ),
    );
  return series;
}

function learningRateSeries({ steps, epochs }: PhaseRecords): Series[] {
  const source: Array<StepRecord | EpochRecord> = steps.length > 0 ? steps : epochs;
  const series: Series[] = [
    {
      name: 'weights lr',
      color: BLUE,
      points: downsample(
        source.map((r) => ({ x: r.step, y: r.lr.weights })),
        MAX_STEP_POINTS,
      ),
      draw: 'line',
    },
  ];
  const withAlphas = source.filter((r) => r.lr.alphas !== undefined);
  if (withAlphas.length > 0)
    series.push({
      name: 'alphas lr',
      color: ORANGE,
      points: downsample(
        withAlphas.map((r) => ({ x: r.step, y: r.lr.alphas as number })),
        MAX_STEP_POINTS,
      ),
      draw: 'line',
    });
  return series;
}

/** The curves of one phase as an SVG document; null when the phase has no record. */
export function curvesSvg(records: PhaseRecords, runName: string): string | null {
  if (records.steps.length === 0 && records.epochs.length === 0) return null;
  const panels = [
    {
      title: records.phase === 'search' ? 'loss: weight step and alpha step' : 'training loss',
      xLabel: 'step',
      yLabel: 'cross-entropy loss',
      series: lossSeries(records),
    },
    { title: 'top-1 accuracy', xLabel: 'step', yLabel: 'accuracy', series: accuracySeries(records), yDomain: [0, 1] as const },
    { title: 'learning rate', xLabel: 'step', yLabel: 'learning rate (log)', series: learningRateSeries(records), yLog: true },
  ];
  const legendSpace = Math.max(...panels.map((p) => legendWidth(p.series, FULL_CHART)));
  const charts = panels.map((spec, i) => renderChart(spec, { left: 0, top: i * PANEL_HEIGHT, width: WIDTH, height: PANEL_HEIGHT }, FULL_CHART, legendSpace));
  return svgDocument(WIDTH, panels.length * PANEL_HEIGHT, `${runName}: ${records.phase} curves`, charts);
}

/** `curves.svg`, or `curves-<phase>.svg` each when a folder holds both phases. */
export function curvesFileName(phase: Phase, phaseCount: number): string {
  return phaseCount > 1 ? `curves-${phase}.svg` : 'curves.svg';
}

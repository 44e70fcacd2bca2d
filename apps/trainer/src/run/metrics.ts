/**
 * `runs/<name>/metrics.jsonl`: one JSON record per line, appended as a run goes (a resumed run appends
 * after the last line its checkpoint covers; readers keep the last record per (kind, phase, step/epoch)).
 *
 * - `step`: one optimisation step (a search step is the alpha step plus the weight step on one batch).
 * - `epoch`: the end of an epoch, with the mean training loss/accuracy over it and, when the run
 *   validates, single-view validation accuracy.
 * Search records carry `alphas`: softmax over ops of every edge, per cell category ([14][6] or [14][8]).
 */
import * as fs from 'node:fs';
import { z } from 'zod';
import { explainIssues } from '@pvnas/base/node';

export const PHASES = ['search', 'retrain'] as const;
export type Phase = (typeof PHASES)[number];

const CATEGORY_KEYS = ['spatial_normal', 'spatial_reduce', 'temporal_normal', 'temporal_reduce'] as const;
const softmaxRows = z.array(z.array(z.number()));
export const alphaSoftmaxSchema = z.object(
  Object.fromEntries(CATEGORY_KEYS.map((k) => [k, softmaxRows])) as Record<(typeof CATEGORY_KEYS)[number], typeof softmaxRows>,
);
export type AlphaSoftmax = z.infer<typeof alphaSoftmaxSchema>;

const lrs = z.object({ weights: z.number(), alphas: z.number().optional() });

/** Fields of both records; in an epoch record loss, acc, clipsPerSec and dataWait are the epoch's means. */
const shared = {
  phase: z.enum(PHASES),
  /** 0-based epoch. */
  epoch: z.number().int().min(0),
  /** Training loss (search: of the weight step, on the updated alphas). */
  loss: z.number(),
  /** Top-1 training accuracy. */
  acc: z.number().min(0).max(1),
  lr: lrs,
  clipsPerSec: z.number().min(0),
  /** Fraction of wall time spent waiting for the loader. */
  dataWait: z.number().min(0).max(1),
  alphas: alphaSoftmaxSchema.optional(),
  /** ISO time. */
  time: z.string(),
};

export const stepRecordSchema = z.object({
  ...shared,
  kind: z.literal('step'),
  /** Global step (counted from the run's start). */
  step: z.number().int().min(0),
  /** Search only: the loss the alpha step saw. */
  alphaLoss: z.number().optional(),
  gradNorm: z.number().optional(),
});

export const epochRecordSchema = z.object({
  ...shared,
  kind: z.literal('epoch'),
  /** Global step count at the end of the epoch. */
  step: z.number().int().min(0),
  /** Single-view validation accuracy (the centre crop of the middle window of every validation video). */
  valAcc: z.number().min(0).max(1).optional(),
  /** Search, last epoch: the same with each clip's frames shuffled (how much the network needs their order). */
  valAccShuffled: z.number().min(0).max(1).optional(),
  /** Validation clips the accuracies were measured on. */
  valClips: z.number().int().min(0).optional(),
  /** Clips the loader skipped (bad videos) in this epoch. */
  skipped: z.number().int().min(0),
  /** Search with a cost budget: the derived network's expected GFLOPs and ms per clip under the alphas at the epoch's end. */
  expectedGflops: z.number().min(0).optional(),
  expectedMs: z.number().min(0).optional(),
});

export const metricRecordSchema = z.discriminatedUnion('kind', [stepRecordSchema, epochRecordSchema]);
export type StepRecord = z.infer<typeof stepRecordSchema>;
export type EpochRecord = z.infer<typeof epochRecordSchema>;
export type MetricRecord = z.infer<typeof metricRecordSchema>;

/** Reads metrics.jsonl; a bad line is reported with its number. A torn last line (a kill mid-write) is dropped. */
export function readMetrics(file: string): MetricRecord[] {
  if (!fs.existsSync(file)) throw new Error(`metrics ${file} does not exist`);
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const out: MetricRecord[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      if (i === lines.length - 1) return; // torn final line
      throw new Error(`metrics ${file}:${i + 1} is not JSON`);
    }
    const r = metricRecordSchema.safeParse(value);
    if (!r.success) throw new Error(`metrics ${file}:${i + 1} is not a metric record: ${explainIssues(r.error, 3)}`);
    out.push(r.data);
  });
  // a resumed run re-writes the steps after its checkpoint: the last record of each key wins, in the
  // position of the first (a Map keeps first-insertion order)
  const byKey = new Map<string, MetricRecord>();
  for (const r of out) byKey.set(`${r.kind}/${r.phase}/${r.kind === 'step' ? r.step : r.epoch}`, r);
  return [...byKey.values()];
}

export function appendMetric(file: string, record: MetricRecord): void {
  fs.appendFileSync(file, JSON.stringify(metricRecordSchema.parse(record)) + '\n');
}

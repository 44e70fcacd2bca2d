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

export const PHASES = ['search', 'retrain'] as const;
export type Phase = (typeof PHASES)[number];

const CATEGORY_KEYS = ['spatial_normal', 'spatial_reduce', 'temporal_normal', 'temporal_reduce'] as const;
const softmaxRows = z.array(z.array(z.number()));
export const alphaSoftmaxSchema = z.object(Object.fromEntries(CATEGORY_KEYS.map((k) => [k, softmaxRows])) as Record<(typeof CATEGORY_KEYS)[number], typeof softmaxRows>);
export type AlphaSoftmax = z.infer<typeof alphaSoftmaxSchema>;

const lrs = z.object({ weights: z.number(), alphas: z.number().optional() });

export const stepRecordSchema = z.object({
  kind: z.literal('step'),
  phase: z.enum(PHASES),
  /** 0-based epoch and global step (counted from the run's start). */
  epoch: z.number().int().min(0),
  step: z.number().int().min(0),
  /** Training loss of the weight step (search: on the updated alphas). */
  loss: z.number(),
  /** Search only: the loss the alpha step saw. */
  alphaLoss: z.number().optional(),
  /** Top-1 accuracy on the step's batch. */
  acc: z.number().min(0).max(1),
  lr: lrs,
  clipsPerSec: z.number().min(0),
  /** Fraction of the step's wall time spent waiting for the loader. */
  dataWait: z.number().min(0).max(1),
  gradNorm: z.number().optional(),
  alphas: alphaSoftmaxSchema.optional(),
  /** ISO time. */
  time: z.string(),
});

export const epochRecordSchema = z.object({
  kind: z.literal('epoch'),
  phase: z.enum(PHASES),
  epoch: z.number().int().min(0),
  /** Global step count at the end of the epoch. */
  step: z.number().int().min(0),
  loss: z.number(),
  acc: z.number().min(0).max(1),
  valAcc: z.number().min(0).max(1).optional(),
  lr: lrs,
  clipsPerSec: z.number().min(0),
  dataWait: z.number().min(0).max(1),
  /** Clips the loader skipped (bad videos) in this epoch. */
  skipped: z.number().int().min(0),
  alphas: alphaSoftmaxSchema.optional(),
  time: z.string(),
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
    if (!r.success) throw new Error(`metrics ${file}:${i + 1} is not a metric record: ${r.error.issues.slice(0, 3).map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`);
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

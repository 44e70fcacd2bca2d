/**
 * `pvnas indicators --ablation DIR`: how well the training-free indicators (libs/nas/src/search/training-free.ts)
 * predict what retraining gives, on an ablation's genotypes: each retrained variant's network (its retraining's
 * channels, layout and stem) scored at initialisation over `seeds` initialisations on the first clips of the
 * ablation's training split, then Spearman's rank correlation of each indicator with the variants' 30-view top-1
 * (condition number negated: lower should be better; TE-NAS's rank sum negated likewise). Writes indicators.json and
 * indicators.md into the ablation folder.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { readJson, readJsonFile, writeJsonFile } from '@pvnas/base/node';
import { combinedRanks, defaultLayout, readGenotype, regionInputs, scoreAtInit, selectBackend, spearman, trainingFreeSchema } from '@pvnas/nas';
import { retrainConfigSchema } from '../config/schema';
import { loadSplit } from '../data/datasets';
import { trainLoader } from './session';

const ablationResultsSchema = z.object({
  variants: z.array(z.object({ variant: z.string(), label: z.string(), genotype: z.string().nullable(), top1: z.number().nullable() }).loose()),
});

export interface IndicatorRow {
  variant: string;
  label: string;
  top1: number;
  /** Median over the initialisations (a singular NTK counts as Infinity; JSON: null). */
  ntkCondition: number | null;
  /** Mean over the initialisations. */
  linearRegions: number;
  rankSum: number;
}

export interface IndicatorsReport {
  format: 'pvnas-indicators/1';
  ablation: string;
  seeds: number;
  clips: number;
  rows: IndicatorRow[];
  /** Spearman's rho with top-1 (null: a constant series). */
  spearman: { ntkCondition: number | null; linearRegions: number | null; rankSum: number | null };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export async function runIndicators(o: { ablation: string; seeds: number; log: (line: string) => void }): Promise<IndicatorsReport> {
  const dir = path.resolve(o.ablation);
  const results = readJsonFile(path.join(dir, 'ablation.json'), ablationResultsSchema, 'ablation results');
  const done = results.variants.filter((v): v is typeof v & { genotype: string; top1: number } => v.genotype !== null && v.top1 !== null);
  if (done.length < 3)
    throw new Error(
      `${dir}: ${done.length} variants have a 30-view top-1; a rank correlation needs at least 3 (let the ablation finish: the same command continues it)`,
    );
  const rc = retrainConfigSchema.parse(readJson(path.join(dir, 'configs', `retrain-${done[0].variant}.json`), 'retraining config'));
  const free = trainingFreeSchema.parse({});
  await selectBackend({ backend: rc.backend, device: rc.device, log: o.log });
  const split = await loadSplit(rc.data, 'train', { workers: 1, log: o.log, baseDir: dir });
  const loader = trainLoader(split.records, split.cacheDir, rc, { batchSize: Math.max(free.batch, 2), workers: 2 });
  let x: tf.Tensor5D | undefined;
  try {
    for await (const b of loader.epoch(0, 0)) {
      x = tf.tensor5d(b.data, b.shape);
      break;
    }
  } finally {
    await loader.close();
  }
  if (!x) throw new Error(`${dir}: the training split gave no batch`);
  o.log(`indicators: ${done.length} retrained genotypes of ${dir}, ${o.seeds} initialisations each, NTK on ${x.shape[0]} training clips`);
  const scored: Array<Omit<IndicatorRow, 'rankSum'>> = [];
  for (const v of done) {
    const genotype = readGenotype(v.genotype);
    const conds: number[] = [];
    const regions: number[] = [];
    for (let seed = 1; seed <= o.seeds; seed++) {
      const inputs = regionInputs(free, seed);
      const network = {
        channels: rc.channels,
        classes: split.classes.length,
        stemStride: rc.stemStride,
        seed,
        temporalStride: rc.temporalStride,
        layout: defaultLayout(rc.repeats),
      };
      const r = scoreAtInit(genotype, network, x, inputs, free.regionChannels);
      inputs.dispose();
      conds.push(r.ntkCondition);
      regions.push(r.linearRegions);
    }
    const cond = median(conds);
    scored.push({
      variant: v.variant,
      label: v.label,
      top1: v.top1,
      ntkCondition: Number.isFinite(cond) ? cond : null,
      linearRegions: regions.reduce((s, r) => s + r, 0) / regions.length,
    });
    o.log(
      `  ${v.variant}: top-1 ${(100 * v.top1).toFixed(1)}%, NTK condition ${Number.isFinite(cond) ? cond.toPrecision(4) : 'singular'}, linear regions ${scored.at(-1)!.linearRegions.toFixed(0)}`,
    );
  }
  x.dispose();
  const sums = combinedRanks(scored.map((r) => ({ ntkCondition: r.ntkCondition ?? Infinity, linearRegions: r.linearRegions })));
  const rows = scored.map((r, i) => ({ ...r, rankSum: sums[i] }));
  const top1 = rows.map((r) => r.top1);
  const report: IndicatorsReport = {
    format: 'pvnas-indicators/1',
    ablation: dir,
    seeds: o.seeds,
    clips: free.batch,
    rows,
    spearman: {
      ntkCondition: spearman(
        rows.map((r) => -(r.ntkCondition ?? Infinity)),
        top1,
      ),
      linearRegions: spearman(
        rows.map((r) => r.linearRegions),
        top1,
      ),
      rankSum: spearman(
        rows.map((r) => -r.rankSum),
        top1,
      ),
    },
  };
  writeJsonFile(path.join(dir, 'indicators.json'), report);
  const rho = (v: number | null) => (v === null ? 'undefined (a constant series)' : v.toFixed(2));
  fs.writeFileSync(
    path.join(dir, 'indicators.md'),
    [
      '# Training-free indicators against retrained accuracy',
      '',
      `Each retrained genotype's network at initialisation (${o.seeds} seeds; NTK on ${free.batch} training clips, linear regions of a thin copy over ${free.regionSamples} random inputs), against its 30-view top-1.`,
      '',
      '| variant | 30-view top-1 | NTK condition (median) | linear regions (mean) | rank sum |',
      '| --- | ---: | ---: | ---: | ---: |',
      ...rows.map(
        (r) =>
          `| ${r.label} | ${(100 * r.top1).toFixed(1)}% | ${r.ntkCondition === null ? 'singular' : r.ntkCondition.toPrecision(4)} | ${r.linearRegions.toFixed(0)} | ${r.rankSum} |`,
      ),
      '',
      `Spearman's rho with top-1: NTK condition (negated) ${rho(report.spearman.ntkCondition)}, linear regions ${rho(report.spearman.linearRegions)}, rank sum (negated) ${rho(report.spearman.rankSum)} (n = ${rows.length}).`,
      '',
    ].join('\n'),
  );
  return report;
}

/**
 * `pvnas search --strategy training-free`: random architectures scored at initialisation (libs/nas/src/search/
 * training-free.ts), one line each in the run folder's candidates.jsonl, then the best by TE-NAS's rank sum written as
 * genotype.json, with the report's candidate table. A stopped or killed run resumed with --resume goes on after the
 * last line written: candidate i is the same architecture and scoring batch whatever happened before.
 */
import * as fs from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import {
  CELL_TYPES,
  candidateGenotype,
  combinedRanks,
  genotypeGflops,
  genotypeSchema,
  regionInputs,
  scoreAtInit,
  writeGenotype,
  type Genotype,
} from '@pvnas/nas';
import type { SearchConfig } from '../config/schema';
import { renderRunPlots } from '../plots/render-run';
import { writeReport } from '../run/report';
import { budgetSection } from './search-budget';
import { stopOnSignal, type Session } from './session';

export const CANDIDATES_FILE = 'candidates.jsonl';

const candidateSchema = z.object({
  index: z.number().int().min(0),
  genotype: genotypeSchema,
  /** The derived network's GFLOPs at the budget's target (budget.ts). */
  gflops: z.number().min(0),
  /** Over the budget: not scored. */
  rejected: z.boolean().optional(),
  ntkCondition: z.number().nullable().optional(), // JSON has no Infinity: null is a singular NTK
  linearRegions: z.number().int().min(0).optional(),
  seconds: z.number(),
});
type Candidate = z.infer<typeof candidateSchema>;
type Scored = Candidate & { linearRegions: number; ntkCondition: number | null };

/** Draws per candidate wanted before a budget no candidate keeps is called impossible. */
const MAX_DRAWS_PER_CANDIDATE = 50;

/** The candidates a run has scored so far; a torn last line (a kill mid-write) is dropped and scored again. */
function readCandidates(file: string): Candidate[] {
  if (!fs.existsSync(file)) return [];
  const out: Candidate[] = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const r = candidateSchema.safeParse(
      (() => {
        try {
          return JSON.parse(line) as unknown;
        } catch {
          return undefined;
        }
      })(),
    );
    if (!r.success || r.data.index !== out.length) break;
    out.push(r.data);
  }
  return out;
}

/** The scoring batch: the first `n` clips of the training split's first epoch (seeded, the same on every resume). */
async function scoringBatch(s: Session<SearchConfig>, n: number): Promise<tf.Tensor5D> {
  for await (const b of s.batches.epoch(0, 0)) {
    if (b.shape[0] < n)
      throw new Error(`trainingFree.batch is ${n} clips but a training batch holds ${b.shape[0]}: raise batchSize or lower trainingFree.batch`);
    const [, T, H, W, C] = b.shape;
    return tf.tensor5d(b.data.subarray(0, n * T * H * W * C), [n, T, H, W, C]);
  }
  throw new Error('the training split gave no batch');
}

const fmt = (v: number | null) => (v === null ? 'singular' : v.toPrecision(4));

export async function runCandidateSearch(
  s: Session<SearchConfig>,
  log: (line: string) => void,
): Promise<{ status: 'done' | 'stopped'; run: string; genotype?: Genotype }> {
  const c = s.config;
  const n = c.trainingFree.candidates;
  const file = s.run.path(CANDIDATES_FILE);
  const done = readCandidates(file);
  fs.writeFileSync(file, done.map((x) => JSON.stringify(x) + '\n').join('')); // without a torn line
  const scored = (): Scored[] => done.filter((d): d is Scored => !d.rejected);
  if (done.length) log(`continuing after ${scored().length} scored candidates`);
  const max = c.budget.maxGflops;
  log(
    `search (training-free): ${n} random architectures scored at initialisation (NTK on ${c.trainingFree.batch} training clips, linear regions over ${c.trainingFree.regionSamples} random inputs); run folder ${s.run.dir}`,
  );
  const x = await scoringBatch(s, c.trainingFree.batch);
  const inputs = regionInputs(c.trainingFree, c.seed);
  await s.loader.close();
  const stop = stopOnSignal(log, 'finishing this candidate');
  let status: 'done' | 'stopped' = 'done';
  try {
    for (let i = done.length; scored().length < n; i++) {
      if (stop.requested()) {
        status = 'stopped';
        break;
      }
      if (i >= n * MAX_DRAWS_PER_CANDIDATE)
        throw new Error(
          `training-free: ${i} random architectures drawn and only ${scored().length} keep the budget of ${max} GFLOPs (${n} wanted): raise --max-gflops, or lower trainingFree.candidates`,
        );
      const t0 = performance.now();
      const genotype = candidateGenotype(c.seed, i);
      const gflops = genotypeGflops(genotype, c.budget);
      if (max !== null && gflops > max) {
        const rejected: Candidate = { index: i, genotype, gflops, rejected: true, seconds: (performance.now() - t0) / 1000 };
        fs.appendFileSync(file, JSON.stringify(rejected) + '\n');
        done.push(rejected);
        continue;
      }
      const score = scoreAtInit(
        genotype,
        { channels: c.channels, classes: s.train.classes.length, stemStride: c.stemStride, seed: c.seed + i, temporalStride: c.temporalStride },
        x,
        inputs,
        c.trainingFree.regionChannels,
      );
      const cand: Scored = {
        index: i,
        genotype,
        gflops,
        ntkCondition: Number.isFinite(score.ntkCondition) ? score.ntkCondition : null,
        linearRegions: score.linearRegions,
        seconds: (performance.now() - t0) / 1000,
      };
      fs.appendFileSync(file, JSON.stringify(cand) + '\n');
      done.push(cand);
      log(
        `candidate ${i} (${scored().length} of ${n}): NTK condition ${fmt(cand.ntkCondition)}, linear regions ${cand.linearRegions} of ${c.trainingFree.regionSamples} inputs, ${gflops.toFixed(1)} GFLOPs (${cand.seconds.toFixed(1)} s)`,
      );
    }
  } catch (e) {
    s.run.update({ status: 'failed', error: (e as Error).message, ended: new Date().toISOString() });
    throw e;
  } finally {
    stop.release();
    tf.dispose([x, inputs]);
  }
  s.run.update({ status, ended: new Date().toISOString() });
  const ranked = scored();
  const rejectedCount = done.length - ranked.length;
  const sums = combinedRanks(ranked.map((d) => ({ ntkCondition: d.ntkCondition ?? Infinity, linearRegions: d.linearRegions })));
  const order = ranked.map((_, i) => i).sort((a, b) => sums[a] - sums[b] || a - b);
  const table = [
    '## Candidates (training-free)',
    '',
    `${ranked.length} of ${n} scored${max !== null ? ` (${rejectedCount} drawn over the budget of ${max} GFLOPs, not scored)` : ''}; ranked by the sum of the ranks by NTK condition number (low first) and by linear regions (high first). GFLOPs: the derived network at the budget's target.`,
    '',
    '| rank sum | candidate | NTK condition | linear regions | GFLOPs | cells |',
    '| ---: | ---: | ---: | ---: | ---: | --- |',
    ...order.slice(0, 10).map((i) => {
      const d = ranked[i];
      const cells = CELL_TYPES.map((t) => d.genotype.cells[t].edges.map(([op, k]) => `${op}(${k})`).join(' ')).join(' / ');
      return `| ${sums[i]} | ${d.index} | ${fmt(d.ntkCondition)} | ${d.linearRegions} | ${d.gflops.toFixed(2)} | ${cells} |`;
    }),
    '',
  ];
  let genotype: Genotype | undefined;
  if (status === 'done') {
    const best = ranked[order[0]];
    genotype = { ...best.genotype, source: { run: s.run.meta.name, from: 'training-free', seed: best.index } };
    writeGenotype(s.run.path('genotype.json'), genotype);
    log(`best: candidate ${best.index} (rank sum ${sums[order[0]]}; NTK condition ${fmt(best.ntkCondition)}, ${best.linearRegions} linear regions)`);
    log(`genotype: ${s.run.path('genotype.json')}`);
  } else log(`stopped; continue with: npx pvnas search --resume ${s.run.meta.name}`);
  await renderRunPlots(s.run.dir);
  writeReport(s.run, [...table, ...(genotype ? budgetSection(genotype, c.budget, log) : [])]);
  return { status, run: s.run.dir, genotype };
}

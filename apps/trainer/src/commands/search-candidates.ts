/**
 * `pvnas search --strategy training-free`: random architectures scored at initialisation (libs/nas/src/search/
 * training-free.ts), one line each in the run folder's candidates.jsonl, then the best by TE-NAS's rank sum written as
 * genotype.json, with the report's candidate table. A stopped or killed run resumed with --resume goes on after the
 * last line written: candidate i is the same architecture and scoring batch whatever happened before.
 */
import * as fs from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { CELL_TYPES, candidateGenotype, combinedRanks, genotypeSchema, regionInputs, scoreAtInit, writeGenotype, type Genotype } from '@pvnas/nas';
import type { SearchConfig } from '../config/schema';
import { renderRunPlots } from '../plots/render-run';
import { writeReport } from '../run/report';
import { stopOnSignal, type Session } from './session';

export const CANDIDATES_FILE = 'candidates.jsonl';

const candidateSchema = z.object({
  index: z.number().int().min(0),
  genotype: genotypeSchema,
  ntkCondition: z.number().nullable(), // JSON has no Infinity: null is a singular NTK
  linearRegions: z.number().int().min(0),
  seconds: z.number(),
});
type Candidate = z.infer<typeof candidateSchema>;

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
  if (done.length) log(`continuing after ${done.length} scored candidates`);
  log(
    `search (training-free): ${n} random architectures scored at initialisation (NTK on ${c.trainingFree.batch} training clips, linear regions over ${c.trainingFree.regionSamples} random inputs); run folder ${s.run.dir}`,
  );
  const x = await scoringBatch(s, c.trainingFree.batch);
  const inputs = regionInputs(c.trainingFree, c.seed);
  await s.loader.close();
  const stop = stopOnSignal(log, 'finishing this candidate');
  let status: 'done' | 'stopped' = 'done';
  try {
    for (let i = done.length; i < n; i++) {
      if (stop.requested()) {
        status = 'stopped';
        break;
      }
      const t0 = performance.now();
      const genotype = candidateGenotype(c.seed, i);
      const score = scoreAtInit(
        genotype,
        { channels: c.channels, classes: s.train.classes.length, stemStride: c.stemStride, seed: c.seed + i, temporalStride: c.temporalStride },
        x,
        inputs,
        c.trainingFree.regionChannels,
      );
      const cand: Candidate = {
        index: i,
        genotype,
        ntkCondition: Number.isFinite(score.ntkCondition) ? score.ntkCondition : null,
        linearRegions: score.linearRegions,
        seconds: (performance.now() - t0) / 1000,
      };
      fs.appendFileSync(file, JSON.stringify(cand) + '\n');
      done.push(cand);
      log(
        `candidate ${i} (${i + 1} of ${n}): NTK condition ${fmt(cand.ntkCondition)}, linear regions ${cand.linearRegions} of ${c.trainingFree.regionSamples} inputs (${cand.seconds.toFixed(1)} s)`,
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
  const sums = combinedRanks(done.map((d) => ({ ntkCondition: d.ntkCondition ?? Infinity, linearRegions: d.linearRegions })));
  const order = done.map((_, i) => i).sort((a, b) => sums[a] - sums[b] || a - b);
  const table = [
    '## Candidates (training-free)',
    '',
    `${done.length} of ${n} scored; ranked by the sum of the ranks by NTK condition number (low first) and by linear regions (high first).`,
    '',
    '| rank sum | candidate | NTK condition | linear regions | cells |',
    '| ---: | ---: | ---: | ---: | --- |',
    ...order.slice(0, 10).map((i) => {
      const d = done[i];
      const cells = CELL_TYPES.map((t) => d.genotype.cells[t].edges.map(([op, k]) => `${op}(${k})`).join(' ')).join(' / ');
      return `| ${sums[i]} | ${d.index} | ${fmt(d.ntkCondition)} | ${d.linearRegions} | ${cells} |`;
    }),
    '',
  ];
  let genotype: Genotype | undefined;
  if (status === 'done') {
    const best = done[order[0]];
    genotype = { ...best.genotype, source: { run: s.run.meta.name, from: 'training-free', seed: best.index } };
    writeGenotype(s.run.path('genotype.json'), genotype);
    log(`best: candidate ${best.index} (rank sum ${sums[order[0]]}; NTK condition ${fmt(best.ntkCondition)}, ${best.linearRegions} linear regions)`);
    log(`genotype: ${s.run.path('genotype.json')}`);
  } else log(`stopped; continue with: npx pvnas search --resume ${s.run.meta.name}`);
  await renderRunPlots(s.run.dir);
  writeReport(s.run, table);
  return { status, run: s.run.dir, genotype };
}

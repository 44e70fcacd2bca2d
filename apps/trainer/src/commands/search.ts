/**
 * `pvnas search` / `nx run trainer:search`: the one-level search (`strategy`: darts, the paper's, or sampling, one
 * drawn path a step), alpha snapshots per epoch, the genotype of the final alphas, plots and report in the run folder.
 */
import * as path from 'node:path';
import {
  CELL_TYPES,
  deriveGenotype,
  SearchTrainer,
  searchVerdict,
  writeAlphas,
  writeGenotype,
  type Genotype,
  type SearchVerdict,
  type SupernetStrategy,
} from '@pvnas/nas';
import { searchConfigSchema, type SearchConfig } from '../config/schema';
import { renderRunPlots } from '../plots/render-run';
import { readMetrics, type EpochRecord } from '../run/metrics';
import { writeReport } from '../run/report';
import { budgetSection, targetLatency } from './search-budget';
import { trainedRunner, trainingFreeRunner } from './candidate-runners';
import { runCandidateSearch } from './search-candidates';
import { openSession, searchClock, train, type SessionFlags } from './session';
import { singleViewAccuracy, validationLoader } from './view-scores';

const alphasFile = (epoch: number) => path.join('alphas', `epoch-${String(epoch).padStart(3, '0')}.json`);

/** The verdict on a finished search from its last epoch record. */
function verdictOf(metricsFile: string, classes: number): SearchVerdict {
  const last = readMetrics(metricsFile)
    .filter((r): r is EpochRecord => r.kind === 'epoch')
    .at(-1);
  if (!last) throw new Error(`${metricsFile} has no epoch record`);
  return searchVerdict({ classes, trainLoss: last.loss, val: last.valAcc !== undefined ? { acc: last.valAcc, clips: last.valClips ?? 0 } : undefined });
}

function verdictSection(v: SearchVerdict): string[] {
  return v.informative
    ? ['## Verdict', '', `The supernet learned: ${v.reason}.`, '']
    : ['## Verdict', '', `**This genotype carries no information.** The supernet ended at chance: ${v.reason}. Do not retrain or report it.`, ''];
}

export async function runSearch(flags: SessionFlags): Promise<{ status: 'done' | 'stopped'; run: string; genotype?: Genotype; verdict?: SearchVerdict }> {
  const s = await openSession('search', searchConfigSchema, flags);
  const strategy0 = s.config.strategy;
  if (strategy0 === 'training-free' || strategy0 === 'evolution' || strategy0 === 'random') {
    if (s.worldSize > 1) throw new Error(`the ${strategy0} strategy runs in one process: drop --nproc-per-node`);
    try {
      const free = strategy0 === 'training-free';
      const runner = free ? await trainingFreeRunner(s) : await trainedRunner(s, strategy0, flags.log);
      return await runCandidateSearch(s, runner, free ? s.config.trainingFree.candidates : s.config.evolution.candidates, flags.log);
    } finally {
      s.close();
    }
  }
  let c: SearchConfig = s.config;
  const strategy = c.strategy as SupernetStrategy;
  if (s.backend.name === 'wasm' && !c.optim.recompute) {
    // wasm memory ends at 4 GB: the supernet's activations of a batch do not fit (it aborts), recomputed ones do
    flags.log('wasm backend: recomputing activations in the backward pass (its memory ends at 4 GB), as optim.recompute=true');
    c = { ...c, optim: { ...c.optim, recompute: true } };
  }
  const trainer = new SearchTrainer(
    { channels: c.channels, classes: s.train.classes.length, stemStride: c.stemStride, dropout: c.dropout, seed: c.seed, temporalStride: c.temporalStride },
    c.optim,
    c.epochs,
    { strategy, sampling: c.sampling, budget: c.budget, latency: targetLatency(c.budget, flags.log) },
  );
  const val = await validationLoader(c, { workers: s.loader.opts.workers, log: flags.log, baseDir: s.baseDir });
  try {
    if (s.resumeFrom) trainer.restore(s.resumeFrom.tensors, s.resumeFrom.extra, s.resumeFrom.dir);
    else {
      trainer.syncReplicas(); // data parallel: rank 0's weights and alphas on every rank
      writeAlphas(s.run.path(alphasFile(0)), trainer.alphas({ run: s.run.meta.name, epoch: 0 }));
    }
    flags.log(
      `search (${c.strategy}): ${s.train.records.length} clips of ${s.train.classes.length} classes from ${s.train.describe}; ${c.epochs} epochs of ${s.loader.batchesPerEpoch()} steps; run folder ${s.run.dir}`,
    );
    const status = await train(
      s,
      {
        phase: 'search',
        epochs: c.epochs,
        checkpointEvery: c.checkpointEvery,
        logEvery: c.logEvery,
        extraEvery: c.alphasEvery,
        step: (x, y, at) => trainer.step(x, y, at),
        lrs: (at) => trainer.lrs(at.epoch),
        stepExtra: () => ({ alphas: trainer.alphaSoftmax() }),
        epochEnd: async (e) => {
          writeAlphas(s.run.path(alphasFile(e.epoch + 1)), trainer.alphas({ run: s.run.meta.name, epoch: e.epoch + 1 }));
          const last = e.epoch + 1 === c.epochs;
          const cost = trainer.expectedCost();
          if (!val || ((e.epoch + 1) % c.validateEvery !== 0 && !last)) return { alphas: trainer.alphaSoftmax(), ...cost };
          const v = await singleViewAccuracy(val, (x) => trainer.logits(x));
          // after the last epoch, the same clips with their frames shuffled: near chance when the classes need time
          const shuffled = last && v.clips > 0 ? await singleViewAccuracy(val, (x) => trainer.logits(x), { seed: c.seed }) : undefined;
          return {
            alphas: trainer.alphaSoftmax(),
            ...cost,
            ...(v.clips > 0 && { valAcc: v.acc, valClips: v.clips }),
            ...(shuffled && { valAccShuffled: shuffled.acc }),
          };
        },
        tensors: () => trainer.checkpointTensors(),
        state: () => trainer.checkpointState(),
        averageBuffers: () => trainer.averageBuffers(),
        timeUp: searchClock(s, c.timeBudgetMin).timeUp,
      },
      flags.log,
    );
    if (s.primary) s.run.update(searchClock(s, c.timeBudgetMin).record());
    let genotype: Genotype | undefined;
    let verdict: SearchVerdict | undefined;
    if (!s.primary) return { status, run: s.run.dir }; // rank 0 writes the results
    if (status === 'done') {
      genotype = deriveGenotype(trainer.alphas(), { run: s.run.meta.name, epoch: c.epochs });
      writeGenotype(s.run.path('genotype.json'), genotype);
      verdict = verdictOf(s.run.path('metrics.jsonl'), s.train.classes.length);
      s.run.update({ verdict });
    }
    await renderRunPlots(s.run.dir);
    const budget = genotype ? budgetSection(genotype, c.budget, flags.log) : [];
    writeReport(s.run, [...budget, ...(verdict ? verdictSection(verdict) : [])]);
    if (status === 'stopped') flags.log(`stopped; continue with: npx pvnas search --resume ${s.run.meta.name}`);
    else {
      flags.log(
        `genotype: ${s.run.path('genotype.json')}\n${CELL_TYPES.map((t) => `  ${t}: ${genotype!.cells[t].edges.map(([op, i]) => `${op}(${i})`).join(' ')}`).join('\n')}`,
      );
      flags.log(
        verdict!.informative
          ? `the supernet learned: ${verdict!.reason}`
          : `\nWARNING: THIS GENOTYPE CARRIES NO INFORMATION. The supernet ended at chance: ${verdict!.reason}.\n  Its alphas followed the gradients of a network that predicts nothing; do not retrain or report it. Train longer, on more data, or check the data.\n`,
      );
    }
    return { status, run: s.run.dir, genotype, verdict };
  } finally {
    await val?.close();
    trainer.dispose();
    s.close();
  }
}

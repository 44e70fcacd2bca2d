/**
 * `pvnas search` / `nx run trainer:search`: the one-level search, alpha snapshots per epoch, the genotype
 * of the final alphas, plots and report in the run folder.
 */
import * as path from 'node:path';
import { CELL_TYPES, deriveGenotype, SearchTrainer, writeAlphas, writeGenotype, type Genotype } from '@pvnas/nas';
import { searchConfigSchema, type SearchConfig } from '../config/schema';
import { renderRunPlots } from '../plots/render-run';
import { writeReport } from '../run/report';
import { openSession, train, type SessionFlags } from './session';

const alphasFile = (epoch: number) => path.join('alphas', `epoch-${String(epoch).padStart(3, '0')}.json`);

export async function runSearch(flags: SessionFlags): Promise<{ status: 'done' | 'stopped'; run: string; genotype?: Genotype }> {
  const s = await openSession('search', searchConfigSchema, flags);
  const c: SearchConfig = s.config;
  const trainer = new SearchTrainer({ channels: c.channels, classes: s.train.classes.length, stemStride: c.stemStride, dropout: c.dropout, seed: c.seed }, c.optim, c.epochs);
  try {
    if (s.resumeFrom) trainer.restore(s.resumeFrom.tensors, s.resumeFrom.extra, s.resumeFrom.dir);
    else writeAlphas(s.run.path(alphasFile(0)), trainer.alphas({ run: s.run.meta.name, epoch: 0 }));
    flags.log(`search: ${s.train.records.length} clips of ${s.train.classes.length} classes from ${s.train.describe}; ${c.epochs} epochs of ${s.loader.batchesPerEpoch()} steps; run folder ${s.run.dir}`);
    const status = await train(s, {
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
        return { alphas: trainer.alphaSoftmax() };
      },
      tensors: () => trainer.checkpointTensors(),
      state: () => trainer.checkpointState(),
    }, flags.log);
    let genotype: Genotype | undefined;
    if (status === 'done') {
      genotype = deriveGenotype(trainer.alphas(), { run: s.run.meta.name, epoch: c.epochs });
      writeGenotype(s.run.path('genotype.json'), genotype);
    }
    await renderRunPlots(s.run.dir);
    writeReport(s.run);
    if (status === 'stopped') flags.log(`stopped; continue with: npx pvnas search --resume ${s.run.meta.name}`);
    else flags.log(`genotype: ${s.run.path('genotype.json')}\n${CELL_TYPES.map((t) => `  ${t}: ${genotype!.cells[t].edges.map(([op, i]) => `${op}(${i})`).join(' ')}`).join('\n')}`);
    return { status, run: s.run.dir, genotype };
  } finally {
    trainer.dispose();
  }
}

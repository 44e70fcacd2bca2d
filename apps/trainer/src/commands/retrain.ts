/**
 * `pvnas retrain --dataset ssv2|kinetics|ucf101` / `nx run trainer:retrain-<dataset>`: a derived network
 * trained from scratch on a genotype (the config's, else the newest finished search run's, else the bundled
 * one), single-view validation per epoch, the final model saved in `<run>/model/`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defaultLayout, readGenotype, RetrainTrainer, saveDerived, writeGenotype, type Genotype } from '@pvnas/nas';
import { retrainConfigSchema, type RetrainConfig } from '../config/schema';
import { loadSplit, WORKSPACE } from '../data/datasets';
import { renderRunPlots } from '../plots/render-run';
import { writeReport } from '../run/report';
import { latestRun } from '../run/run-folder';
import { openSession, train, type SessionFlags } from './session';
import { scoreViews, testLoader } from './view-scores';

export const BUNDLED_GENOTYPE = path.join(WORKSPACE, 'apps', 'trainer', 'assets', 'sample-search.genotype.json');

/** The genotype to retrain and where it came from. */
export function chooseGenotype(c: RetrainConfig, log: (s: string) => void): { genotype: Genotype; from: string } {
  if (c.genotype) return { genotype: readGenotype(path.resolve(c.genotype)), from: path.resolve(c.genotype) };
  const search = latestRun(path.resolve(c.runsDir), 'search', (r) => r.meta.status === 'done' && fs.existsSync(r.path('genotype.json')));
  if (search) return { genotype: readGenotype(search.path('genotype.json')), from: search.path('genotype.json') };
  log(`no finished search run under ${c.runsDir}: retraining the bundled genotype ${path.relative(WORKSPACE, BUNDLED_GENOTYPE)}`);
  return { genotype: readGenotype(BUNDLED_GENOTYPE), from: BUNDLED_GENOTYPE };
}

export async function runRetrain(flags: SessionFlags): Promise<{ status: 'done' | 'stopped'; run: string }> {
  const s = await openSession('retrain', retrainConfigSchema, flags);
  const c: RetrainConfig = s.config;
  // a resumed run retrains the genotype it started with (kept in its folder)
  const chosen = fs.existsSync(s.run.path('genotype.json')) ? { genotype: readGenotype(s.run.path('genotype.json')), from: s.run.path('genotype.json') } : chooseGenotype(c, flags.log);
  if (!fs.existsSync(s.run.path('genotype.json'))) writeGenotype(s.run.path('genotype.json'), chosen.genotype);
  const trainer = new RetrainTrainer(chosen.genotype, { channels: c.channels, classes: s.train.classes.length, layout: defaultLayout(c.repeats), stemStride: c.stemStride, dropout: c.dropout, seed: c.seed }, c.optim, c.epochs);
  const valSplit = c.validateEvery > 0 && (c.data.source === 'sample' || c.data.val) ? await loadSplit(c.data, 'val', { workers: 1, log: flags.log, baseDir: s.baseDir }) : undefined;
  const val = valSplit && testLoader({ split: valSplit, numClips: 2, crop: c.clips.crop, frames: c.clips.frames, window: c.clips.window, batchSize: c.batchSize, workers: s.loader.opts.workers });
  try {
    if (s.resumeFrom) trainer.restore(s.resumeFrom.tensors, s.resumeFrom.dir);
    const params = trainer.net.params.list().filter((p) => p.trainable).reduce((n, p) => n + p.variable.size, 0);
    flags.log(`retrain: genotype ${chosen.from}; ${(params / 1e6).toFixed(3)} M parameters; ${s.train.records.length} clips of ${s.train.classes.length} classes from ${s.train.describe}; ${c.epochs} epochs of ${s.loader.batchesPerEpoch()} steps; run folder ${s.run.dir}`);
    const status = await train(s, {
      phase: 'retrain',
      epochs: c.epochs,
      checkpointEvery: c.checkpointEvery,
      logEvery: c.logEvery,
      step: (x, y, at) => trainer.step(x, y, at),
      lrs: (at) => ({ weights: trainer.lr(at.epochFraction) }),
      epochEnd: async (e) => {
        if (!val || (e.epoch + 1) % c.validateEvery !== 0) return {};
        const ev = await scoreViews(val, { numClasses: s.train.classes.length, logits: (x) => trainer.logits(x) });
        return ev.singleView ? { valAcc: ev.singleView.top1.accuracy } : {};
      },
      tensors: () => trainer.checkpointTensors(),
      state: () => ({}),
    }, flags.log);
    if (status === 'done') await saveDerived(trainer.net, s.run.path('model'));
    await renderRunPlots(s.run.dir);
    writeReport(s.run, status === 'done' ? [`## Model`, '', `\`model/\` (model.json + weights.bin, loadable with \`loadDerived\`; export for tfjs with \`pvnas export --model ${path.join(s.run.dir, 'model')} --out DIR\`). Evaluate with 30 views: \`npx pvnas evaluate --model ${s.run.meta.name}\`.`, ''] : []);
    flags.log(status === 'stopped' ? `stopped; continue with: npx pvnas retrain --resume ${s.run.meta.name}` : `model: ${s.run.path('model')}`);
    return { status, run: s.run.dir };
  } finally {
    await val?.close();
    trainer.dispose();
  }
}

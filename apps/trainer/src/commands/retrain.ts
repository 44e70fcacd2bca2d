/**
 * `pvnas retrain --dataset ssv2|kinetics|ucf101` / `nx run trainer:retrain-<dataset>`: a derived network
 * trained from scratch on a genotype (the config's, else the newest finished search run's, else the bundled
 * one), single-view validation per epoch, the final model saved in `<run>/model/`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defaultLayout, readGenotype, RetrainTrainer, saveDerived, writeGenotype, type Genotype } from '@pvnas/nas';
import { retrainConfigSchema, type RetrainConfig } from '../config/schema';
import { WORKSPACE } from '../data/datasets';
import { renderRunPlots } from '../plots/render-run';
import { writeReport } from '../run/report';
import { latestRun } from '../run/run-folder';
import { openSession, train, type SessionFlags } from './session';
import { singleViewAccuracy, validationLoader } from './view-scores';

export const BUNDLED_GENOTYPE = path.join(WORKSPACE, 'apps', 'trainer', 'assets', 'sample-search.genotype.json');

/** The training data of a run's config, for "searched on the same dataset" (data sources compared as JSON). */
function sameData(a: unknown, b: RetrainConfig['data']): boolean {
  const key = (d: unknown) => {
    const x = d as RetrainConfig['data'];
    return JSON.stringify(x.source === 'sample' ? { source: 'sample' } : { source: x.source, train: x.train });
  };
  return key(a) === key(b);
}

/**
 * The genotype to retrain and where it came from: `--genotype`; else the newest finished search on the same
 * training data whose supernet beat chance; else, for the sample set only, the bundled genotype (a sample-set search's). A retrain on a real
 * dataset never falls back to a sample-set genotype: without a search of its own it asks for `--genotype`.
 */
export function chooseGenotype(c: RetrainConfig, log: (s: string) => void): { genotype: Genotype; from: string } {
  if (c.genotype) return { genotype: readGenotype(path.resolve(c.genotype)), from: path.resolve(c.genotype) };
  // a search whose supernet ended at chance produced noise: never retrained unless named with --genotype
  const search = latestRun(
    path.resolve(c.runsDir),
    'search',
    (r) =>
      r.meta.status === 'done' &&
      r.meta.verdict?.informative !== false &&
      fs.existsSync(r.path('genotype.json')) &&
      sameData((r.config() as { data?: unknown }).data, c.data),
  );
  if (search) return { genotype: readGenotype(search.path('genotype.json')), from: search.path('genotype.json') };
  if (c.data.source !== 'sample') {
    throw new Error(
      `no finished search on this training data (with a supernet above chance) under ${c.runsDir}: give the genotype to retrain with --genotype FILE (a search run's genotype.json), or run pvnas search on this dataset first. (The bundled genotype comes from the sample set and is never used for a real dataset.)`,
    );
  }
  log(`no finished sample-set search under ${c.runsDir}: retraining the bundled genotype ${path.relative(WORKSPACE, BUNDLED_GENOTYPE)}`);
  return { genotype: readGenotype(BUNDLED_GENOTYPE), from: BUNDLED_GENOTYPE };
}

export async function runRetrain(flags: SessionFlags): Promise<{ status: 'done' | 'stopped'; run: string }> {
  let chosen: { genotype: Genotype; from: string } | undefined;
  const s = await openSession('retrain', retrainConfigSchema, flags, (c) => void (chosen = chooseGenotype(c, flags.log)));
  const c: RetrainConfig = s.config;
  // a resumed run retrains the genotype it started with (kept in its folder)
  if (!chosen) {
    const file = (s.resumed ?? s.run).path('genotype.json');
    chosen = { genotype: readGenotype(file), from: file };
  }
  if (!fs.existsSync(s.run.path('genotype.json'))) writeGenotype(s.run.path('genotype.json'), chosen.genotype);
  const trainer = new RetrainTrainer(
    chosen.genotype,
    {
      channels: c.channels,
      classes: s.train.classes.length,
      layout: defaultLayout(c.repeats),
      stemStride: c.stemStride,
      dropout: c.dropout,
      seed: c.seed,
      temporalStride: c.temporalStride,
    },
    c.optim,
    c.epochs,
  );
  const val = await validationLoader(c, { workers: s.loader.opts.workers, log: flags.log, baseDir: s.baseDir });
  try {
    if (s.resumeFrom) trainer.restore(s.resumeFrom.tensors, s.resumeFrom.dir);
    else trainer.syncReplicas(); // data parallel: rank 0's weights on every rank
    const params = trainer.net.params
      .list()
      .filter((p) => p.trainable)
      .reduce((n, p) => n + p.variable.size, 0);
    flags.log(
      `retrain: genotype ${chosen.from}; ${(params / 1e6).toFixed(3)} M parameters; ${s.train.records.length} clips of ${s.train.classes.length} classes from ${s.train.describe}; ${c.epochs} epochs of ${s.loader.batchesPerEpoch()} steps; run folder ${s.run.dir}`,
    );
    const status = await train(
      s,
      {
        phase: 'retrain',
        epochs: c.epochs,
        checkpointEvery: c.checkpointEvery,
        logEvery: c.logEvery,
        step: (x, y, at) => trainer.step(x, y, at),
        lrs: (at) => ({ weights: trainer.lr(at.epochFraction) }),
        epochEnd: async (e) => {
          if (!val || (e.epoch + 1) % c.validateEvery !== 0) return {};
          const v = await singleViewAccuracy(val, (x) => trainer.logits(x));
          return v.clips === 0 ? {} : { valAcc: v.acc, valClips: v.clips };
        },
        tensors: () => trainer.checkpointTensors(),
        state: () => ({}),
        averageBuffers: () => trainer.averageBuffers(),
      },
      flags.log,
    );
    if (!s.primary) return { status, run: s.run.dir }; // rank 0 writes the results
    if (status === 'done') await saveDerived(trainer.net, s.run.path('model'));
    await renderRunPlots(s.run.dir);
    const genotypeLine = [
      `## Genotype source`,
      '',
      `Retrained genotype: \`${chosen.from}\`${chosen.genotype.source?.run ? ` (search run ${chosen.genotype.source.run}, epoch ${chosen.genotype.source.epoch ?? '?'})` : ''}.`,
      '',
    ];
    writeReport(
      s.run,
      status === 'done'
        ? [
            ...genotypeLine,
            `## Model`,
            '',
            `\`model/\` (model.json + weights.bin, loadable with \`loadDerived\`; export for tfjs with \`pvnas export --model ${path.join(s.run.dir, 'model')} --out DIR\`). Evaluate with 30 views: \`npx pvnas evaluate --model ${s.run.meta.name}\`.`,
            '',
          ]
        : genotypeLine,
    );
    flags.log(status === 'stopped' ? `stopped; continue with: npx pvnas retrain --resume ${s.run.meta.name}` : `model: ${s.run.path('model')}`);
    return { status, run: s.run.dir };
  } finally {
    await val?.close();
    trainer.dispose();
    s.close();
  }
}

/**
 * `pvnas evaluate` / `nx run trainer:evaluate`: a trained model on a validation split with 10 temporal
 * clips x 3 crops per video (mean of softmax): top-1, top-5, per-class accuracy, confusion matrix, and the
 * single view (centre crop of the middle clip; each video's probabilities on it in `singleViewScores`).
 * `--shuffle-frames` adds the same evaluation with the frames of every clip shuffled. Writes its own run
 * folder: config.json, run.json, evaluation-ordered.json (and evaluation-shuffledFrames.json), report.md.
 * Data parallel (`flags.place`): each rank scores every `worldSize`-th video, the ranks' view scores are summed
 * (ViewAggregator's dense state, all-reduced), and rank 0 writes the one run folder with the metrics of all videos.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defaultWorkerCount } from '@pvnas/ingest';
import { initProcessGroup, loadDerived, processGroup, renderEvaluationMarkdown, selectBackend, type ViewEvaluation } from '@pvnas/nas';
import type { WorkerPlace } from '../cli/launch';
import { resolveConfig } from '../config/load';
import { retrainConfigSchema, type Dataset, type EvaluateConfig } from '../config/schema';
import { checkCacheResolution, loadSplit, WORKSPACE } from '../data/datasets';
import { writeReport } from '../run/report';
import { defaultRunName, latestRun, RunFolder } from '../run/run-folder';
import { runDirOf, warnIfSlowBackend } from './session';
import { rankShare, scoreViews, testLoader } from './view-scores';
import { writeJsonFile } from '@pvnas/base/node';

/** The model folder and, when it sits in a retrain run, that run's clip settings. */
export function findModel(c: EvaluateConfig): { modelDir: string; trainedWith?: { crop: number; frames: number; window: number }; run?: string } {
  let dir: string;
  if (c.model) {
    const asRun = runDirOf(c.model, c.runsDir);
    dir = fs.existsSync(path.join(asRun, 'model', 'model.json')) ? path.join(asRun, 'model') : path.resolve(c.model);
  } else {
    const run = latestRun(path.resolve(c.runsDir), 'retrain', (r) => r.meta.status === 'done' && fs.existsSync(r.path('model', 'model.json')));
    if (!run) throw new Error(`no finished retrain run under ${c.runsDir}: train one (npx nx run trainer:retrain-ssv2) or pass --model DIR`);
    dir = run.path('model');
  }
  if (!fs.existsSync(path.join(dir, 'model.json')))
    throw new Error(`model ${dir} does not exist (expected a retrain run name or folder, or a folder with model.json)`);
  const runDir = path.dirname(dir);
  if (fs.existsSync(path.join(runDir, 'run.json'))) {
    const r = retrainConfigSchema.safeParse(RunFolder.open(runDir).config());
    if (r.success) return { modelDir: dir, trainedWith: { crop: r.data.clips.crop, frames: r.data.clips.frames, window: r.data.clips.window }, run: runDir };
  }
  return { modelDir: dir };
}

export interface EvaluateFlags {
  config?: string;
  overrides: Record<string, unknown>;
  dataset: Dataset;
  log: (line: string) => void;
  place?: WorkerPlace;
}

/** `run`: the run folder (null on ranks other than 0 of a data-parallel job: they write nothing). */
export async function runEvaluate(flags: EvaluateFlags): Promise<{ run: string | null; results: Record<string, ViewEvaluation> }> {
  const c = resolveConfig('evaluate', flags.dataset, { file: flags.config, flags: flags.overrides });
  const found = findModel(c);
  const crop = c.crop ?? found.trainedWith?.crop;
  if (crop === undefined) throw new Error(`model ${found.modelDir} is not inside a retrain run, so its crop size is unknown: pass --crop`);
  const place = flags.place;
  const primary = !place || place.rank === 0;
  const backend = await selectBackend({ backend: c.backend, device: c.device, localRank: place?.localRank, log: flags.log });
  warnIfSlowBackend(backend, flags.log);
  if (place) {
    if (backend.name !== 'torch') throw new Error(`data-parallel evaluation needs the torch backend (its c10d collectives); this process has ${backend.name}`);
    initProcessGroup(place);
  }
  const workers = c.workers ?? Math.max(1, Math.min(4, Math.floor(defaultWorkerCount() / (place?.localWorldSize ?? 1))));
  const baseDir = flags.config ? path.dirname(path.resolve(flags.config)) : undefined;
  const val = await loadSplit(c.data, 'val', { workers, log: flags.log, baseDir });
  await checkCacheResolution(val, crop, `the test crop ${crop} (short side scaled to the crop)`, c.allowUpsampling, flags.log);
  const net = loadDerived(found.modelDir);
  if (net.config.classes !== val.classes.length)
    throw new Error(
      `model ${found.modelDir} has ${net.config.classes} classes, the validation split ${val.classes.length}: evaluate it on the dataset it was trained on`,
    );
  const distributed = { worldSize: place?.worldSize ?? 1, backend: processGroup().backend, nodes: place?.nodes ?? 1 };
  const run = primary
    ? RunFolder.create(path.resolve(c.runsDir, c.name ?? defaultRunName('evaluate')), {
        command: 'evaluate',
        preset: 'evaluate',
        seed: c.seed,
        config: { ...c, model: found.modelDir },
        backend,
        workspace: WORKSPACE,
        baseDir,
        distributed,
      })
    : undefined;
  const frames = found.trainedWith?.frames ?? 8;
  const window = found.trainedWith?.window ?? 64;
  const results: Record<string, ViewEvaluation> = {};
  // data parallel: this rank's videos, their batches numbered as in the whole split
  const loader = testLoader({ split: rankShare(val), numClips: c.clipsPerVideo, crop, frames, window, batchSize: c.batchSize, workers });

  try {
    for (const shuffled of c.shuffleFrames ? [false, true] : [false]) {
      const key = shuffled ? 'shuffledFrames' : 'ordered';
      flags.log(`evaluate${shuffled ? ' (frames shuffled)' : ''}: ${val.records.length} videos x ${c.clipsPerVideo * 3} views from ${val.describe}`);
      const ev = await scoreViews(loader, {
        whole: val,
        numClasses: val.classes.length,
        logits: (x) => net.forward(x, { training: false, updateStats: false }),
        shuffle: shuffled ? { seed: c.seed } : undefined,
        onBatch: (done, total) => {
          if (done === total || done % 20 === 0) flags.log(`  ${done}/${total} batches`);
        },
      });
      results[key] = ev;
      if (!run) continue; // rank 0 writes
      const { failures, clipsPerSec, singleViewScores, ...metrics } = ev;
      writeJsonFile(run.path(`evaluation-${key}.json`), {
        model: found.modelDir,
        shuffledFrames: shuffled,
        crop,
        frames,
        clipsPerSec,
        failures,
        ...metrics,
        multiView: { ...metrics.multiView, predictions: Array.from(metrics.multiView.predictions) },
        singleView: metrics.singleView && { ...metrics.singleView, predictions: Array.from(metrics.singleView.predictions) },
        singleViewScores,
      });
    }
    const sections = Object.entries(results).map(([key, ev]) =>
      renderEvaluationMarkdown(ev, {
        classNames: val.classes,
        title: key === 'ordered' ? '## Evaluation' : '## Evaluation with the frames of every clip shuffled',
        videoNames: val.records.map((r) => r.id),
      }),
    );
    if (!run) return { run: null, results };
    run.update({ status: 'done', ended: new Date().toISOString() });
    writeReport(run, [
      `Model: \`${found.modelDir}\`${found.run ? ` (run ${path.basename(found.run)})` : ''}; crop ${crop}, ${frames} frames.`,
      '',
      ...sections,
    ]);
    return { run: run.dir, results };
  } catch (e) {
    run?.update({ status: 'failed', error: (e as Error).message, ended: new Date().toISOString() });
    throw e;
  } finally {
    await loader.close();
    net.dispose();
  }
}

/**
 * What search and retraining share around the library's epoch loop: the run folder (new or resumed), the
 * clip loader, metrics lines, checkpoints, Ctrl-C, progress, and the run's final status.
 *
 * Data parallel (a worker of `--nproc-per-node`, torchrun or srun: `flags.place`): every rank joins the process
 * group, loads the split (rank 0 first: it may build the sample set's cache), and takes its shard of each epoch with
 * its share of the global batch (`batchSize` is the whole group's, as PySlowFast's). Rank 0 alone writes the run
 * folder, metrics, checkpoints and results; the other ranks write into a private scratch folder that is removed at
 * the end, and read the run they resume from the shared run folder. A stop (Ctrl-C, SIGTERM) on any rank stops the
 * group at the same step.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ClipLoader, decoderStatus, DEFAULT_TEMPORAL, defaultWorkerCount, type FailedItem, reversalPartners, withTimeReversal } from '@pvnas/ingest';
import {
  anyRank,
  barrier,
  sumOverRanks,
  emptyTotals,
  initProcessGroup,
  processGroup,
  loadNewestCheckpoint,
  runEpochs,
  saveCheckpoint,
  selectBackend,
  takeCpuFallbacks,
  type BackendInfo,
  type BatchSource,
  type EpochReport,
  type LoopState,
  type StepAt,
  type StepOutcome,
  type StepReport,
} from '@pvnas/nas';
import * as tf from '@tensorflow/tfjs-core';
import type { z } from 'zod';
import { resolveConfig, type ConfigOf } from '../config/load';
import type { Dataset } from '../config/schema';
import { checkCacheResolution, loadSplit, WORKSPACE, type SplitData } from '../data/datasets';
import { appendMetric, type EpochRecord, type Phase, type StepRecord } from '../run/metrics';
import { defaultRunName, RunFolder } from '../run/run-folder';
import { createTrainProgress, type TrainProgress } from '../run/train-progress';
import type { WorkerPlace } from '../cli/launch';

export interface SessionFlags {
  config?: string;
  /** Dotted-key overrides from flags and --set. */
  overrides: Record<string, unknown>;
  /** Continue this run (a name under runsDir or a folder). */
  resume?: string;
  /** The nx target / preset name, e.g. retrain-ssv2. */
  preset: string;
  dataset: Dataset;
  log: (line: string) => void;
  /** This process's place in a data-parallel job (undefined: a process alone). */
  place?: WorkerPlace;
}

export interface Session<C> {
  /** The run folder; on ranks other than 0 of a data-parallel job, a private scratch folder (see `primary`). */
  run: RunFolder;
  /** Rank 0 (or a process alone): the one that writes the run folder. */
  primary: boolean;
  worldSize: number;
  /** The run being resumed, as every rank reads it (rank 0's `run`). */
  resumed?: RunFolder;
  /** Removes a scratch run folder (ranks other than 0); call when the command is done with `run`. */
  close(): void;
  config: C;
  backend: BackendInfo;
  train: SplitData;
  /** Folder relative data paths resolve against: the config file's, else the working directory. */
  baseDir?: string;
  loader: ClipLoader;
  /** The loader's batches, time-reversed when the config asks for it. */
  batches: BatchSource;
  resumeFrom?: { dir: string; state: LoopState; tensors: Record<string, tf.Tensor>; extra: Record<string, unknown> };
}

/** Each rank's share of the global batch; refuses a batch the world size does not divide. */
export function rankBatch(batchSize: number, worldSize: number): number {
  if (batchSize % worldSize !== 0)
    throw new Error(
      `batchSize ${batchSize} is the batch of the whole group (all processes, as PySlowFast's); it must divide by the ${worldSize} processes: use ${Math.max(worldSize, batchSize - (batchSize % worldSize))} or ${batchSize - (batchSize % worldSize) + worldSize}`,
    );
  return batchSize / worldSize;
}

/** The world size a run was trained with (runs made before data parallelism: 1). */
export function runWorldSize(run: RunFolder): number {
  return run.meta.distributed?.worldSize ?? 1;
}

/**
 * Refuses, before a run folder exists, a training split no classifier can learn from: no videos, or one class
 * (its cross-entropy and one-hot need two).
 */
export function refuseUntrainable(train: SplitData): void {
  const skipped = train.issues.length
    ? ` (${train.issues.length} manifest lines skipped; first: ${train.issues[0].file}:${train.issues[0].line}: ${train.issues[0].reason})`
    : '';
  if (train.records.length === 0) throw new Error(`the training split (${train.describe}) has no videos${skipped}: check the manifest; nothing was written`);
  const labels = new Set(train.records.map((r) => r.label));
  if (labels.size < 2) {
    const only = train.classes[train.records[0].label] ?? String(train.records[0].label);
    throw new Error(
      `the training split (${train.describe}) has videos of one class only ("${only}", ${train.records.length} videos): a classifier needs at least 2 classes; check the manifest; nothing was written`,
    );
  }
}

const quiet: TrainProgress = { tick: () => {}, line: () => {}, stop: () => {} };

/**
 * How much slower the default search step runs on tfjs's wasm backend than on the `torch` backend: measured on
 * the sample preset, 2 cores (`nx run tools:bench-threads -- --wasm`: 43 s a step against 1.7 s; docs/decisions.md).
 */
export const WASM_SLOWDOWN = 25;

/** Says loudly, before a run starts, that the fast backend is missing, what it costs and the command that fixes it. */
export function warnIfSlowBackend(backend: BackendInfo, log: (line: string) => void): void {
  if (backend.name !== 'wasm' && backend.name !== 'cpu') return;
  const torch = backend.skipped.find((s) => s.name === 'torch');
  if (!torch) return; // forced with --backend: the user chose it
  log(
    [
      '',
      `WARNING: the fast CPU backend is not available (${torch.reason}).`,
      `  This run uses tfjs's ${backend.name} backend: about ${WASM_SLOWDOWN}x slower${backend.name === 'cpu' ? ' or worse' : ''} (the default search: hours instead of minutes).`,
      '  Fix it with one command, then start again:',
      '    ./system-deps.sh && npm run build:native',
      '',
    ].join('\n'),
  );
}

/** A run folder given as a name under runsDir or as a path. */
export function runDirOf(nameOrPath: string, runsDir: string): string {
  if (fs.existsSync(path.join(nameOrPath, 'run.json'))) return path.resolve(nameOrPath);
  return path.resolve(runsDir, nameOrPath);
}

/** Opens (resume) or creates the run, selects the backend, loads the training split and the loader. */
/** `check` runs on a new run's config before anything is written (a refusal leaves no run folder behind). */
export async function openSession<Cmd extends 'search' | 'retrain'>(
  command: Cmd,
  schema: z.ZodType<ConfigOf<Cmd>>,
  flags: SessionFlags,
  check?: (config: ConfigOf<Cmd>) => void,
): Promise<Session<ConfigOf<Cmd>>> {
  let run: RunFolder | undefined;
  let config: ConfigOf<Cmd>;
  const place = flags.place;
  const primary = !place || place.rank === 0;
  const worldSize = place?.worldSize ?? 1;
  if (flags.resume) {
    const dir = runDirOf(flags.resume, typeof flags.overrides.runsDir === 'string' ? flags.overrides.runsDir : 'runs');
    run = RunFolder.open(dir);
    if (run.meta.command !== command) throw new Error(`run ${dir} is a ${run.meta.command} run, not a ${command} run`);
    if (run.meta.status === 'done') throw new Error(`run ${dir} has finished; nothing to resume`);
    if (runWorldSize(run) !== worldSize)
      throw new Error(
        `run ${dir} was trained by ${runWorldSize(run)} process${runWorldSize(run) === 1 ? '' : 'es'} and this resume has ${worldSize}: resume it with the same world size (${runWorldSize(run) === 1 ? 'without --nproc-per-node' : `--nproc-per-node and --nnodes giving ${runWorldSize(run)} processes`}): each process's shard of the data and its share of the batch depend on it, so another count would not continue the same run`,
      );
    const r = schema.safeParse(run.config());
    if (!r.success)
      throw new Error(`run ${dir}: config.json no longer matches the schema (${r.error.issues[0]?.path.join('.')}: ${r.error.issues[0]?.message})`);
    config = r.data;
  } else {
    config = resolveConfig(command, flags.dataset, { file: flags.config, flags: flags.overrides }) as ConfigOf<Cmd>;
    check?.(config);
  }
  const localBatch = rankBatch((config as ConfigOf<'search'>).batchSize, worldSize);
  const backend = await selectBackend({ backend: config.backend, device: config.device, localRank: place?.localRank, log: flags.log });
  warnIfSlowBackend(backend, flags.log);
  if (place) {
    if (backend.name !== 'torch') throw new Error(`data-parallel training needs the torch backend (its c10d collectives); this process has ${backend.name}`);
    initProcessGroup(place);
    flags.log(
      `data parallel: rank ${place.rank} of ${place.worldSize} (${place.nodes} node${place.nodes === 1 ? '' : 's'}, ${processGroup().backend}), ${localBatch} clip${localBatch === 1 ? '' : 's'} per process and step`,
    );
  }
  // the loader's threads: this process's share of the node's
  const workers = config.workers ?? Math.max(1, Math.min(4, Math.floor(defaultWorkerCount() / (place?.localWorldSize ?? 1))));
  const baseDir = run?.meta.baseDir ?? (flags.config ? path.dirname(path.resolve(flags.config)) : undefined);
  // rank 0 first: the sample set and its cache are built on first use, once
  if (!primary) barrier();
  const train = await loadSplit(config.data, 'train', { workers, log: flags.log, baseDir });
  if (primary && place) barrier();
  const clipsConfig = (config as ConfigOf<'search'>).clips;
  await checkCacheResolution(train, clipsConfig.jitter[0], `clips.jitter [${clipsConfig.jitter.join(', ')}]`, clipsConfig.allowUpsampling, flags.log);
  refuseUntrainable(train);
  if (!train.cacheDir) {
    // clips decoded from the videos: say which decoder, and what the slow one costs
    const d = decoderStatus();
    flags.log(
      d.decoder === 'native'
        ? `video decoding: in process (${d.reason})`
        : `video decoding: one ffmpeg process per clip (~1.8x the time of the in-process decoder: ${d.reason})`,
    );
  }
  if (train.issues.length > 0)
    flags.log(`${train.issues.length} manifest lines skipped (first: ${train.issues[0].file}:${train.issues[0].line}: ${train.issues[0].reason})`);
  const c = config as ConfigOf<'search'>;
  const reversal = c.clips.timeReversal;
  const partners = reversal && reversal.p > 0 ? reversalPartners(train.classes, reversal.pairs) : undefined; // before any run folder exists
  const distributed = { worldSize, backend: processGroup().backend, nodes: place?.nodes ?? 1 };
  const source = run; // the run resumed, read by every rank
  const create = (dir: string) =>
    RunFolder.create(dir, { command, preset: flags.preset, seed: config.seed, config, backend, workspace: WORKSPACE, baseDir, distributed });
  if (!primary) {
    // ranks other than 0 write nothing where users look: a scratch run folder, removed by close()
    run = create(path.join(fs.mkdtempSync(path.join(os.tmpdir(), `pvnas-rank${place!.rank}-`)), 'run'));
  } else if (!run) {
    run = create(path.resolve(config.runsDir, config.name ?? defaultRunName(flags.preset)));
  } else {
    run.update({
      resumed: [...run.meta.resumed, new Date().toISOString()],
      status: 'running',
      error: undefined,
      backend: { name: backend.name, device: backend.device, threads: backend.threads, versions: backend.versions },
    });
  }
  const loader = trainLoader(train.records, train.cacheDir, c, { batchSize: localBatch, workers, place });
  const batches = partners ? withTimeReversal(loader, partners, reversal!.p, c.seed) : loader;
  let resumeFrom: Session<ConfigOf<Cmd>>['resumeFrom'];
  // the newest checkpoint that reads whole (a damaged newest one is passed over, loudly)
  const found = flags.resume && source ? loadNewestCheckpoint(source.path('checkpoints'), flags.log) : undefined;
  if (found) {
    const latest = found.dir;
    const ck = found.checkpoint;
    resumeFrom = { dir: latest, state: ck.state.loop as LoopState, tensors: ck.tensors, extra: ck.state };
    flags.log(`resuming ${source!.dir} from ${path.basename(latest)} (epoch ${resumeFrom.state.epoch + 1}, step ${resumeFrom.state.step})`);
  } else if (flags.resume) flags.log(`run ${source!.dir} has no checkpoint yet: starting it from the beginning`);
  const scratch = primary ? undefined : path.dirname(run.dir);
  const close = () => void (scratch && fs.rmSync(scratch, { recursive: true, force: true }));
  return { run, primary, worldSize, resumed: flags.resume ? source : undefined, close, config, backend, train, baseDir, loader, batches, resumeFrom };
}

/** The training clips' loader of a run: its config's clips, seed and batch (this process's share of it). */
export function trainLoader(
  records: SplitData['records'],
  cacheDir: SplitData['cacheDir'],
  c: Pick<ConfigOf<'search'>, 'clips' | 'seed' | 'batchSize'>,
  o: { batchSize: number; workers: number; place?: WorkerPlace },
): ClipLoader {
  return new ClipLoader({
    records,
    cacheDir,
    batchSize: o.batchSize,
    seed: c.seed,
    workers: o.workers,
    prefetchBatches: 2,
    temporal: { ...DEFAULT_TEMPORAL, numFrames: c.clips.frames, windowFrames: c.clips.window },
    train: {
      jitter: c.clips.jitter,
      crop: c.clips.crop,
      flipP: c.clips.flipP,
      dropLast: records.length >= 2 * c.batchSize,
      ...(o.place && { shard: { rank: o.place.rank, worldSize: o.place.worldSize } }),
    },
  });
}

export interface TrainHooks {
  phase: Phase;
  epochs: number;
  checkpointEvery: number;
  logEvery: number;
  /** Call stepExtra on steps that are a multiple of this. */
  extraEvery?: number;
  step(x: tf.Tensor5D, labels: tf.Tensor1D, at: StepAt): StepOutcome;
  lrs(at: { epoch: number; epochFraction: number }): StepRecord['lr'];
  /** Extra fields of a step record (search: alpha softmax). */
  stepExtra?(): Partial<StepRecord>;
  /** After each epoch: snapshots, validation; returns extra fields of the epoch record. */
  epochEnd?(r: EpochReport): Promise<Partial<EpochRecord>>;
  tensors(): Record<string, tf.Tensor>;
  state(): Record<string, unknown>;
  /** Data parallel: the BN running statistics (per process) averaged over the ranks, before validation and checkpoints. */
  averageBuffers?(): void;
  /** Checked at each epoch's end: true ends the run there, `done` (a wall-clock budget ran out). */
  timeUp?(): boolean;
}

/**
 * Runs the epochs with Ctrl-C (first: checkpoint and stop; second: exit now), metrics and progress.
 * Returns 'done' or 'stopped'; an error (a NaN loss: NonFiniteLossError) marks the run failed and rethrows.
 */
let stoppedBy: 'SIGINT' | 'SIGTERM' = 'SIGINT';

/** The exit code of a run stopped by a signal: 143 after SIGTERM (what schedulers send), else 130 (Ctrl-C). */
export function stopExitCode(): number {
  return stoppedBy === 'SIGTERM' ? 143 : 130;
}

/**
 * Ctrl-C, SIGTERM (and the end of the `pvnas ablation` that started this run) request a stop at the next boundary:
 * `requested()` turns true and the log says what finishing means; the same signal again exits at once.
 */
export function stopOnSignal(log: (line: string) => void, finishing: string): { requested: () => boolean; release: () => void } {
  let stop = false;
  const onSignal = (signal?: NodeJS.Signals): void => {
    if (stop) process.exit(signal === 'SIGTERM' ? 143 : 130);
    stop = true;
    if (signal === 'SIGTERM') stoppedBy = 'SIGTERM';
    log(`\nstopping${signal === 'SIGTERM' ? ' (SIGTERM)' : ''}: ${finishing} (Ctrl-C again to quit at once)`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // started by `pvnas ablation` (an IPC channel): its end, even a SIGKILL, stops this run at a checkpoint too
  if (process.channel) process.on('disconnect', onSignal);
  return {
    requested: () => stop,
    release: () => {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
      process.removeListener('disconnect', onSignal);
    },
  };
}

export async function train<C>(s: Session<C>, h: TrainHooks, log: (line: string) => void): Promise<'done' | 'stopped'> {
  const batches = s.loader.batchesPerEpoch();
  if (batches === 0) throw new Error(`the training split has ${s.train.records.length} videos: fewer than one batch`);
  const start: LoopState = s.resumeFrom?.state ?? { epoch: 0, cursor: 0, step: 0, totals: emptyTotals() };
  const metrics = s.run.path('metrics.jsonl');
  const stop = stopOnSignal(log, 'finishing this step and writing a checkpoint');
  let timeUp = false;
  const progress = s.primary ? createTrainProgress(s.run.meta.name, h.epochs * batches, start.step) : quiet;
  let failuresSeen = s.loader.failures.length;
  try {
    const r = await runEpochs({
      epochs: h.epochs,
      batchesPerEpoch: batches,
      start,
      source: s.batches,
      step: h.step,
      worldSize: s.worldSize,
      checkpointEvery: h.checkpointEvery,
      onStep: (st: StepReport) => {
        const at = { epoch: st.epoch, epochFraction: st.epoch + st.batch / batches };
        if (st.step % h.logEvery === 0)
          appendMetric(metrics, {
            kind: 'step',
            phase: h.phase,
            epoch: st.epoch,
            step: st.step,
            loss: st.loss,
            ...(st.alphaLoss !== undefined && { alphaLoss: st.alphaLoss }),
            acc: st.correct / st.clips,
            lr: h.lrs(at),
            clipsPerSec: st.clipsPerSec,
            dataWait: st.dataWait,
            ...(st.gradNorm !== undefined && { gradNorm: st.gradNorm }),
            ...(st.step % (h.extraEvery ?? 1) === 0 && h.stepExtra?.()),
            time: new Date().toISOString(),
          });
        progress.tick({
          epoch: st.epoch,
          epochs: h.epochs,
          batch: st.batch,
          batches,
          loss: st.loss,
          acc: st.correct / st.clips,
          clipsPerSec: st.clipsPerSec,
          dataWait: st.dataWait,
        });
      },
      onEpochEnd: async (e) => {
        if (h.timeUp?.() && e.epoch + 1 < h.epochs) {
          timeUp = true;
          log(`time budget reached after epoch ${e.epoch + 1} of ${h.epochs}: the search ends here`);
        }
        h.averageBuffers?.();
        const extra = (await h.epochEnd?.(e)) ?? {};
        // data parallel: every rank's bad clips (bad-clips.json lists rank 0's)
        const [skipped] = sumOverRanks([s.loader.failures.length - failuresSeen]);
        failuresSeen = s.loader.failures.length;
        appendMetric(metrics, {
          kind: 'epoch',
          phase: h.phase,
          epoch: e.epoch,
          step: e.step,
          loss: e.loss,
          acc: e.acc,
          lr: h.lrs({ epoch: e.epoch, epochFraction: e.epoch }),
          clipsPerSec: e.clipsPerSec,
          dataWait: e.dataWait,
          skipped,
          ...extra,
          time: new Date().toISOString(),
        });
        const fallbacks = takeCpuFallbacks();
        if (fallbacks.length)
          progress.line(
            `torch backend: kernels without a libtorch version ran through the CPU this epoch: ${fallbacks.map(([k, n]) => `${k} x${n}`).join(', ')} (slow, and a host copy each on a GPU; PVNAS_TORCH_FALLBACK=error stops at the first)`,
          );
        progress.line(
          `epoch ${e.epoch + 1}/${h.epochs}: loss ${e.loss.toFixed(4)}, train acc ${(100 * e.acc).toFixed(1)}%${extra.valAcc !== undefined ? `, val acc ${(100 * extra.valAcc).toFixed(1)}%` : ''}, ${e.clipsPerSec.toFixed(1)} clips/s, data wait ${(100 * e.dataWait).toFixed(0)}%${skipped ? `, ${skipped} bad clips skipped` : ''}`,
        );
      },
      checkpoint: async (state) => {
        h.averageBuffers?.(); // every rank, so the replicas stay identical
        if (!s.primary) return;
        await saveCheckpoint(s.run.path('checkpoints'), `step-${String(state.step).padStart(6, '0')}`, state, { loop: state, ...h.state() }, h.tensors());
      },
      // a signal may reach one rank only: the group stops together, at the same step
      stopRequested: () => (s.worldSize > 1 ? anyRank(stop.requested() || timeUp) : stop.requested() || timeUp),
    });
    progress.stop();
    // a spent time budget ends the run as done, not as stopped
    const status = r.status === 'stopped' && timeUp && !stop.requested() ? 'done' : r.status;
    s.run.update({ status, ended: new Date().toISOString() });
    return status;
  } catch (e) {
    progress.stop();
    s.run.update({ status: 'failed', error: (e as Error).message, ended: new Date().toISOString() });
    throw e;
  } finally {
    stop.release();
    if (s.resumeFrom) tf.dispose(Object.values(s.resumeFrom.tensors));
    const failures: FailedItem[] = s.loader.failures;
    if (failures.length > 0) fs.writeFileSync(s.run.path('bad-clips.json'), JSON.stringify(failures, null, 1) + '\n');
    await s.loader.close();
  }
}

const clocks = new WeakMap<object, { t0: number; before: number }>();

/**
 * A search's clock: the seconds of earlier attempts (run.json `searchSeconds`) plus this process's; `timeUp` once
 * they pass the budget; `record()` the fields run.json keeps at the end (with the peak resident memory).
 */
export function searchClock(
  s: { run: { meta: { searchSeconds?: number } } },
  budgetMin: number | null,
): { timeUp?: () => boolean; record: () => { searchSeconds: number; peakRssMiB: number } } {
  let c = clocks.get(s);
  if (!c) clocks.set(s, (c = { t0: performance.now(), before: s.run.meta.searchSeconds ?? 0 }));
  const { t0, before } = c;
  const seconds = () => before + (performance.now() - t0) / 1000;
  return {
    ...(budgetMin !== null && { timeUp: () => seconds() >= budgetMin * 60 }),
    // maxRSS: kibibytes on every platform Node runs on
    record: () => ({ searchSeconds: seconds(), peakRssMiB: process.resourceUsage().maxRSS / 1024 }),
  };
}

/**
 * One benchmark run. For each clip set, the same clip list goes through every method:
 *   pool   ClipLoader over the videos (piscina, `workers` threads, decodeFrames + fused transform);
 *   cache  ClipLoader over the LMDB frame cache of the set's videos (built first, the build timed on its own);
 *   raw    the same window decodes with bare ffmpeg processes, `workers` at a time (the decode limit);
 *   pyav   the PySlowFast-recipe PyAV loader, `workers` processes (its frames checked against decodeFrames' first).
 * Round 0 is cold (first probes, first file opens, JIT) and only reported; rounds 1..R are timed. Each round runs one
 * pass of every method (the cache path: enough passes for `minCacheSec` over all rounds), in an order that rotates
 * from round to round: on a shared machine, other processes' load then falls on every method alike, and the per-round
 * ratios show how much it moved. Then the single-thread stage breakdown (profile.ts).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildSetCache, type CacheBuildResult } from './cache-method';
import { deriveClipList } from './clip-list';
import { prepareSet } from './datasets';
import { LoaderRun, type PassResult } from './loader-method';
import { type Measured } from './measure';
import { BENCH_ROOT, CACHE_SETTINGS, TARGETS, TEMPORAL, TRAIN, type BenchOptions, type SetName } from './options';
import { profileSet, type Profile } from './profile';
import { pyavUnavailable, PyavRun, type PyavPass, type PyavResult } from './pyav-method';
import { RawRun, type RawPass } from './raw-ffmpeg';

export type MethodName = 'pool' | 'cache' | 'raw' | 'pyav';
export const METHODS: readonly MethodName[] = ['pool', 'cache', 'raw', 'pyav'];

/** One pass of one method, as every method reports it. */
export interface MethodPass {
  round: number;
  clips: number;
  sec: number;
  clipsPerSec: number;
  /** CPU ms per clip: this process with its threads and reaped children (pool, cache, raw); PyAV: its workers + parent. */
  cpuMsPerClip: number;
  /** Cores other processes kept busy meanwhile (machine-wide busy minus ours; PyAV: over its whole python run). */
  otherCores?: number;
}

/** A method's steady state (timed rounds), reduced to what the table shows. */
export interface Steady {
  clipsPerSec: number;
  cpuMsPerClip: number;
  passes: number;
  sec: number;
  /** The cold round's clips/s (first probe / first open of each file). */
  coldClipsPerSec: number;
  otherCores?: number;
}

export interface TargetCheck {
  name: string;
  value: number;
  target: number;
  unit: 'x' | 'clips/s';
  pass: boolean;
  /** The same ratio per timed round (min, max), for how much load from other processes moved it. */
  range?: [number, number];
}

type RatioName = 'cacheOverPool' | 'poolOverPyav' | 'poolOverRaw' | 'pyavOverRaw';

export interface SetResult {
  set: { name: SetName; description: string; videos: number; preparedSec: number };
  clips: number;
  windowFrames: { min: number; median: number; max: number };
  rounds: number;
  /** Every pass of every method, round 0 = cold. */
  passes: Record<MethodName, MethodPass[]>;
  /** Seconds to start each loader's pool (threads + module loading), untimed in the passes. */
  poolStartSec: { pool: number; cache: number };
  rawExampleArgs: string[];
  pyav?: PyavResult;
  pyavSkipped?: string;
  build: CacheBuildResult;
  profile?: Profile;
  steady: Partial<Record<MethodName, Steady>>;
  ratios: Partial<Record<RatioName, number>> & { buildOverPoolEpoch: number };
  /** Per timed round: the ratio in that round alone (min, max). */
  ratioRanges: Partial<Record<RatioName, [number, number]>>;
  targets: TargetCheck[];
}

export interface BenchReport {
  format: 'pvnas-bench-ingest/1';
  startedAt: string;
  finishedAt: string;
  elapsedSec: number;
  command: string;
  options: BenchOptions;
  recipe: { temporal: typeof TEMPORAL; train: typeof TRAIN; cache: typeof CACHE_SETTINGS; targets: typeof TARGETS };
  machine: { cores: number; cpu: string; memGiB: number; node: string; platform: string; load1AtStart: number };
  sets: SetResult[];
  summary: Array<{ set: SetName } & TargetCheck>;
}

function fromLoader(round: number, p: PassResult): MethodPass {
  return { round, clips: p.clips, sec: p.sec, clipsPerSec: p.clipsPerSec, cpuMsPerClip: p.cpuMsPerClip, otherCores: p.otherCores };
}

function fromRaw(round: number, p: RawPass): MethodPass {
  return { round, clips: p.clips, sec: p.sec, clipsPerSec: p.clipsPerSec, cpuMsPerClip: p.cpuMsPerClip, otherCores: p.otherCores };
}

function fromPyav(round: number, p: PyavPass, run: Measured): MethodPass {
  return {
    round,
    clips: p.clips,
    sec: p.sec,
    clipsPerSec: p.clipsPerSec,
    cpuMsPerClip: p.workerCpuMsPerClip + p.parentCpuMsPerClip,
    otherCores: run.otherCores,
  };
}

/** Total clips over total seconds of the timed rounds; CPU and other load weighted by time. */
export function steadyOf(passes: readonly MethodPass[]): Steady | undefined {
  const timed = passes.filter((p) => p.round > 0);
  const cold = passes.filter((p) => p.round === 0);
  if (!timed.length) return undefined;
  const sec = timed.reduce((a, p) => a + p.sec, 0);
  const clips = timed.reduce((a, p) => a + p.clips, 0);
  const cpu = timed.reduce((a, p) => a + p.cpuMsPerClip * p.clips, 0);
  const other = timed.every((p) => p.otherCores !== undefined) ? timed.reduce((a, p) => a + (p.otherCores as number) * p.sec, 0) / sec : undefined;
  const coldSec = cold.reduce((a, p) => a + p.sec, 0);
  const coldClips = cold.reduce((a, p) => a + p.clips, 0);
  return {
    clipsPerSec: clips / sec,
    cpuMsPerClip: cpu / clips,
    passes: timed.length,
    sec,
    coldClipsPerSec: coldSec > 0 ? coldClips / coldSec : NaN,
    otherCores: other,
  };
}

/** clips/s of one method in one round (all its passes of that round). */
function roundRate(passes: readonly MethodPass[], round: number): number {
  const ps = passes.filter((p) => p.round === round);
  return ps.reduce((a, p) => a + p.clips, 0) / ps.reduce((a, p) => a + p.sec, 0);
}

function ratioRange(a: readonly MethodPass[], b: readonly MethodPass[], rounds: number): [number, number] | undefined {
  const r: number[] = [];
  for (let k = 1; k <= rounds; k++) {
    const x = roundRate(a, k) / roundRate(b, k);
    if (Number.isFinite(x)) r.push(x);
  }
  return r.length ? [Math.min(...r), Math.max(...r)] : undefined;
}

function check(name: string, value: number, target: number, unit: TargetCheck['unit'], range?: [number, number]): TargetCheck {
  return { name, value, target, unit, pass: value >= target, range };
}

function failuresText(what: string, f: Array<{ item: string; reason: string }>): string {
  return `${what}: ${f.length} clips failed: ${f
    .slice(0, 3)
    .map((x) => `${x.item}: ${x.reason}`)
    .join('; ')}`;
}

export async function runSet(name: SetName, o: BenchOptions, log: (line: string) => void): Promise<SetResult> {
  const set = await prepareSet(name, (l) => log(`  ${l}`));
  log(`[${name}] ${set.description}; deriving ${o.clips} clips`);
  const list = await deriveClipList(set.videos, o.clips, o.seed, o.workers);
  const work = path.join(o.out, 'work', name);
  const cacheDir = path.join(work, 'cache');
  const wf = list.clips.map((c) => c.windowFrames).sort((a, b) => a - b);

  log(`[${name}] building the LMDB frame cache of ${list.videos.length} videos (${o.workers} workers)`);
  const build = await buildSetCache(set, list, cacheDir, o);

  const pyavSkipped = await pyavUnavailable(o.python);
  if (pyavSkipped) log(`[${name}] PyAV reference skipped: ${pyavSkipped}`);
  const pyav = pyavSkipped ? undefined : new PyavRun(list, work, o);
  const raw = new RawRun(list, o.workers);
  const poolRun = await LoaderRun.open({ records: list.records, workers: o.workers, batchSize: o.batchSize, seed: o.seed });
  const cacheRun = await LoaderRun.open({ records: list.records, cacheDir, workers: o.workers, batchSize: o.batchSize, seed: o.seed });
  const passes: SetResult['passes'] = { pool: [], cache: [], raw: [], pyav: [] };
  let cachePassesPerRound = 1;
  const runMethod = async (m: MethodName, round: number): Promise<void> => {
    switch (m) {
      case 'pool':
        passes.pool.push(fromLoader(round, await poolRun.pass()));
        break;
      case 'cache':
        for (let k = 0; k < (round === 0 ? 1 : cachePassesPerRound); k++) passes.cache.push(fromLoader(round, await cacheRun.pass()));
        if (round === 0) {
          // Enough passes per timed round for minCacheSec over all rounds (a pass over ~100 clips is well under a second).
          const sec = passes.cache[0].sec;
          cachePassesPerRound = Math.max(1, Math.ceil(o.minCacheSec / o.rounds / sec));
        }
        break;
      case 'raw':
        passes.raw.push(fromRaw(round, await raw.pass()));
        break;
      case 'pyav':
        if (pyav) {
          const p = await pyav.round(round === 0);
          passes.pyav.push(fromPyav(round, p, pyav.result.runs[pyav.result.runs.length - 1]));
        }
        break;
    }
  };
  try {
    for (let round = 0; round <= o.rounds; round++) {
      const order = METHODS.map((_, k) => METHODS[(k + round) % METHODS.length]);
      log(`[${name}] round ${round}${round === 0 ? ' (cold)' : ` of ${o.rounds}`}: ${order.join(', ')}`);
      for (const m of order) await runMethod(m, round);
      if (poolRun.failures.length) throw new Error(failuresText(`[${name}] pool`, poolRun.failures));
      if (cacheRun.failures.length) throw new Error(failuresText(`[${name}] cache`, cacheRun.failures));
      if (raw.failures.length) throw new Error(failuresText(`[${name}] raw ffmpeg`, raw.failures));
    }
  } finally {
    await poolRun.close();
    await cacheRun.close();
  }

  let profile: Profile | undefined;
  if (o.profile) {
    log(`[${name}] stage breakdown (${Math.min(o.profileClips, list.clips.length)} clips, single thread)`);
    profile = await profileSet(list, cacheDir, o.workers, o.profileClips, path.join(work, 'raw-what-if'));
  }
  if (!o.keep) fs.rmSync(work, { recursive: true, force: true });

  const steady: SetResult['steady'] = {};
  for (const m of METHODS) {
    const s = steadyOf(passes[m]);
    if (s) steady[m] = s;
  }
  const p = steady.pool!.clipsPerSec;
  const ratios: SetResult['ratios'] = {
    cacheOverPool: steady.cache!.clipsPerSec / p,
    poolOverRaw: p / steady.raw!.clipsPerSec,
    buildOverPoolEpoch: build.sec / (list.clips.length / p),
  };
  const ratioRanges: SetResult['ratioRanges'] = {
    cacheOverPool: ratioRange(passes.cache, passes.pool, o.rounds),
    poolOverRaw: ratioRange(passes.pool, passes.raw, o.rounds),
  };
  if (steady.pyav) {
    ratios.poolOverPyav = p / steady.pyav.clipsPerSec;
    ratios.pyavOverRaw = steady.pyav.clipsPerSec / steady.raw!.clipsPerSec;
    ratioRanges.poolOverPyav = ratioRange(passes.pool, passes.pyav, o.rounds);
    ratioRanges.pyavOverRaw = ratioRange(passes.pyav, passes.raw, o.rounds);
  }
  const cacheRates = Array.from({ length: o.rounds }, (_, k) => roundRate(passes.cache, k + 1));
  const targets = [
    check('cache / pool', ratios.cacheOverPool!, TARGETS.cacheOverPool, 'x', ratioRanges.cacheOverPool),
    check(`cache clips/s, ${o.workers} workers`, steady.cache!.clipsPerSec, TARGETS.cacheClipsPerSec, 'clips/s', [
      Math.min(...cacheRates),
      Math.max(...cacheRates),
    ]),
  ];
  targets.push(check('cache build / bare decode+scale', build.framesPerSec / build.bareFramesPerSec, TARGETS.buildOverBareDecode, 'x'));
  if (ratios.poolOverPyav !== undefined) targets.push(check('pool / PyAV', ratios.poolOverPyav, TARGETS.poolOverPyav, 'x', ratioRanges.poolOverPyav));
  return {
    set: { name, description: set.description, videos: set.videos.length, preparedSec: set.preparedSec },
    clips: list.clips.length,
    windowFrames: { min: wf[0], median: wf[wf.length >> 1], max: wf[wf.length - 1] },
    rounds: o.rounds,
    passes,
    poolStartSec: { pool: poolRun.startSec, cache: cacheRun.startSec },
    rawExampleArgs: raw.exampleArgs,
    pyav: pyav?.result,
    pyavSkipped,
    build,
    profile,
    steady,
    ratios,
    ratioRanges,
    targets,
  };
}

export function machineInfo(): BenchReport['machine'] {
  return {
    cores: os.availableParallelism?.() ?? os.cpus().length,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    load1AtStart: os.loadavg()[0],
  };
}

export function reportPath(out: string, started: Date): string {
  const stamp = started
    .toISOString()
    .replace(/:/g, '-')
    .replace(/\.\d+Z$/, 'Z');
  return path.join(out, `ingest-report-${stamp}.json`);
}

export { BENCH_ROOT };
export type { Measured };

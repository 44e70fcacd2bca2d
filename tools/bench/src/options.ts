/**
 * What one benchmark run measures: which clip sets, how many clips per set, the parallelism, and the fixed search
 * recipe every method uses (jitter [128, 164], crop 112, 8 frames of a 64-frame window at 30 fps).
 */
import * as path from 'node:path';
import { DEFAULT_TEMPORAL, type TemporalConfig, type TrainTransformConfig } from '@pvnas/ingest';

export type SetName = 'sample' | 'gop30' | 'gop250';
export const SET_NAMES: readonly SetName[] = ['sample', 'gop30', 'gop250'];

export interface BenchOptions {
  /** Train clips per set (records cycle over the set's videos: clip i is a window of video i mod V). */
  clips: number;
  /** Worker threads of the loader; also the process count of the raw ffmpeg and PyAV peers. */
  workers: number;
  quick: boolean;
  /** Keep the frame caches and the per-run work files (clip lists, verification frames). */
  keep: boolean;
  /** Folder of the JSON report. */
  out: string;
  /** Base seed of the clip list (the loader's `seed`). */
  seed: number;
  sets: SetName[];
  batchSize: number;
  /** Clips whose frames the PyAV loader checks against decodeFrames, per set. */
  verifyClips: number;
  /** Clips of the single-thread stage breakdown, per set. */
  profileClips: number;
  /**
   * Timed rounds after the cold one. A round runs one pass of every method over the clip list, the methods in an order
   * that rotates from round to round, so that load from other processes on a shared machine falls on all of them.
   */
  rounds: number;
  /** Minimum seconds of timed cache passes over all rounds (the cache path runs several passes per round). */
  minCacheSec: number;
  /** Run the single-thread stage breakdown. */
  profile: boolean;
  python: string;
}

/** `<repo>/data/bench`: generated clip sets (kept, reused), caches and reports. */
export const BENCH_ROOT = path.resolve(__dirname, '..', '..', '..', 'data', 'bench');

export const TRAIN: TrainTransformConfig = { jitter: [128, 164], crop: 112, flipP: 0.5, mean: 0.45, std: 0.225 };
export const TEMPORAL: TemporalConfig = DEFAULT_TEMPORAL;
export const CACHE_SETTINGS = { shortSide: 128, fps: 30, quality: 90 };

export const TARGETS = {
  /** cache path clips/s over pool (decode path) clips/s, steady state. */
  cacheOverPool: 10,
  /** pool clips/s over the PyAV reference's, steady state. */
  poolOverPyav: 1.0,
  /** Absolute cache-path clips/s of 8x112x112 with 2 workers. */
  cacheClipsPerSec: 200,
  /** Cache build frames/s over a bare ffmpeg decode + scale of the same videos to /dev/null (issue 15). */
  buildOverBareDecode: 0.5,
};

export function defaultOptions(quick: boolean): BenchOptions {
  return {
    clips: quick ? 16 : 96,
    workers: 2,
    quick,
    keep: false,
    out: BENCH_ROOT,
    seed: 0,
    sets: [...SET_NAMES],
    batchSize: 8,
    verifyClips: quick ? 2 : 4,
    profileClips: quick ? 4 : 16,
    rounds: quick ? 1 : 3,
    minCacheSec: quick ? 0.5 : 3,
    profile: true,
    python: process.env.PVNAS_BENCH_PYTHON || '/usr/bin/python3',
  };
}

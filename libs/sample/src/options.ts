/**
 * What a sample dataset is made of. The resolved options are stored in the dataset's `sample.json`
 * marker; a dataset is up to date when its marker holds exactly the options asked for.
 */
import * as path from 'node:path';
import { IngestError } from '@pvnas/ingest';
import { SAMPLE_CLASSES } from './classes';

export type SampleLayout = 'kinetics' | 'ssv2';
export const SAMPLE_LAYOUTS: readonly SampleLayout[] = ['kinetics', 'ssv2'];

export interface SampleOptions {
  /** Base seed of every random draw. */
  seed: number;
  /** Number of classes, 2..8: the first N of SAMPLE_CLASSES. */
  classes: number;
  /** Clips per class in the train split (>= 1). */
  trainPerClass: number;
  /** Clips per class in the validation split (>= 0). */
  valPerClass: number;
  /** Frame size, even (yuv420p), >= 16. */
  width: number;
  height: number;
  /** Clip length range in seconds, drawn uniformly per clip: [min, max]. */
  seconds: [number, number];
  /** Frames per second (both layouts; real SSv2 is 12 fps, ours keeps the Kinetics-like rate). */
  fps: number;
  /** Keyframe interval of the encoded videos, frames. */
  gop: number;
  /** Layouts to write. */
  layouts: SampleLayout[];
}

export const DEFAULT_SAMPLE_OPTIONS: Readonly<SampleOptions> = Object.freeze({
  seed: 0,
  classes: 8,
  trainPerClass: 48,
  valPerClass: 16,
  width: 64,
  height: 48,
  seconds: [2.2, 2.6] as [number, number],
  fps: 30,
  gop: 15,
  layouts: ['kinetics', 'ssv2'] as SampleLayout[],
});

/** `<repo>/data/sample` (the workspace's git-ignored data folder). */
export const DEFAULT_SAMPLE_ROOT = path.resolve(__dirname, '..', '..', '..', 'data', 'sample');

function bad(reason: string, hint?: string): IngestError {
  return new IngestError('bad-config', 'sample options', reason, hint);
}

function int(name: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw bad(`${name} must be an integer in [${min}, ${max}], got ${JSON.stringify(v)}`);
  }
  return v;
}

/**
 * Fills defaults and checks every value. The result has a fixed key order (it is compared as JSON with
 * the marker of an existing dataset). Throws IngestError('bad-config') naming the bad option.
 */
export function resolveSampleOptions(partial: Partial<SampleOptions> = {}): SampleOptions {
  const o = { ...DEFAULT_SAMPLE_OPTIONS, ...Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)) };
  const seed = int('seed', o.seed, 0, Number.MAX_SAFE_INTEGER);
  const classes = int('classes', o.classes, 2, SAMPLE_CLASSES.length);
  const trainPerClass = int('trainPerClass', o.trainPerClass, 1, 10000);
  const valPerClass = int('valPerClass', o.valPerClass, 0, 10000);
  const width = int('width', o.width, 16, 4096);
  const height = int('height', o.height, 16, 4096);
  if (width % 2 || height % 2) throw bad(`width and height must be even (yuv420p), got ${width}x${height}`);
  const fps = int('fps', o.fps, 1, 240);
  const gop = int('gop', o.gop, 1, 10000);
  const sec = o.seconds as unknown;
  if (
    !Array.isArray(sec) ||
    sec.length !== 2 ||
    !sec.every((s) => typeof s === 'number' && Number.isFinite(s)) ||
    !(sec[0] > 0 && sec[0] <= sec[1] && sec[1] <= 3600)
  ) {
    throw bad(`seconds must be [min, max] with 0 < min <= max <= 3600, got ${JSON.stringify(sec)}`);
  }
  if (Math.round(sec[0] * fps) < 2) throw bad(`the shortest clip (${sec[0]} s at ${fps} fps) would have fewer than 2 frames`);
  const layoutsIn = o.layouts as unknown;
  if (!Array.isArray(layoutsIn) || layoutsIn.length === 0 || !layoutsIn.every((l) => SAMPLE_LAYOUTS.includes(l))) {
    throw bad(`layouts must be a non-empty list of ${SAMPLE_LAYOUTS.join(', ')}, got ${JSON.stringify(layoutsIn)}`);
  }
  const layouts = SAMPLE_LAYOUTS.filter((l) => layoutsIn.includes(l));
  return { seed, classes, trainPerClass, valPerClass, width, height, seconds: [sec[0], sec[1]], fps, gop, layouts };
}

/**
 * The benchmark's clip sets, made once and reused:
 *  - sample: the bundled sample set (ensureSampleDataset, its default options), its Kinetics train videos;
 *  - gop30 / gop250: 16 longer videos each (10 s at 30 fps, 340x256 like pre-resized Kinetics), keyframe interval 30
 *    and 250 (x264's default, what most downloaded videos have), rendered by the sample generator into data/bench/.
 * A generated set is regenerated only when missing or made with other options (the generator's marker).
 */
import * as path from 'node:path';
import { DEFAULT_SAMPLE_OPTIONS, ensureSampleDataset, type SampleOptions } from '@pvnas/sample';
import { BENCH_ROOT, type SetName } from './options';
import { loadManifest, type VideoRecord } from '@pvnas/ingest';

export interface ClipSet {
  name: SetName;
  /** One line for the table. */
  description: string;
  /** Root of the Kinetics layout (annotations/, train/). */
  root: string;
  classes: string[];
  /** The train videos, in manifest order. */
  videos: VideoRecord[];
  /** Seconds spent making the set in this run (0 when it was already there). */
  preparedSec: number;
}

const GENERATED: Record<Exclude<SetName, 'sample'>, Partial<SampleOptions>> = {
  gop30: { classes: 8, trainPerClass: 2, valPerClass: 0, width: 340, height: 256, seconds: [10, 10], fps: 30, gop: 30, layouts: ['kinetics'] },
  gop250: { classes: 8, trainPerClass: 2, valPerClass: 0, width: 340, height: 256, seconds: [10, 10], fps: 30, gop: 250, layouts: ['kinetics'] },
};

function describe(name: SetName, count: number): string {
  const o = name === 'sample' ? DEFAULT_SAMPLE_OPTIONS : { ...DEFAULT_SAMPLE_OPTIONS, ...GENERATED[name] };
  const [s0, s1] = o.seconds;
  const what = name === 'sample' ? `sample set: ${count} train videos` : `generated: ${count} videos`;
  return `${what}, ${o.width}x${o.height}, ${s0 === s1 ? s0 : `${s0}-${s1}`} s @ ${o.fps} fps, h264 keyint ${o.gop}`;
}

/** Makes (if needed) and lists one clip set. `log` gets the generator's progress lines. */
export async function prepareSet(name: SetName, log: (line: string) => void): Promise<ClipSet> {
  const t0 = performance.now();
  const root =
    name === 'sample' ? await ensureSampleDataset(undefined, { log }) : await ensureSampleDataset(path.join(BENCH_ROOT, name), { ...GENERATED[name], log });
  const preparedSec = (performance.now() - t0) / 1000;
  const k = path.join(root, 'kinetics');
  const manifest = loadManifest({ format: 'kinetics', csv: path.join(k, 'annotations', 'train.csv'), root: k });
  if (manifest.records.length === 0) {
    throw new Error(`clip set ${name}: no train videos found under ${k} (${manifest.issues.length} manifest issues)`);
  }
  return {
    name,
    description: describe(name, manifest.records.length),
    root: k,
    classes: manifest.classes,
    videos: manifest.records,
    preparedSec: preparedSec > 1 ? preparedSec : 0,
  };
}

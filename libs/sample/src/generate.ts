/**
 * Writes the sample dataset (Kinetics and/or SSv2 layout, see plan.ts) under a root, atomically:
 * everything goes to a hidden sibling folder `.<name>.partial-<pid>-<hex>`, the `sample.json` marker is
 * written last, and the folder is renamed into place only when complete. An interrupted run leaves no
 * `<root>`, only a partial folder that the next run deletes.
 *
 * Each clip is rendered once and encoded once per layout; `concurrency` ffmpeg encodes run at a time.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { IngestError } from '@pvnas/ingest';
import { SAMPLE_CLASSES } from './classes';
import { encodeFrames, encoderOptions, type SampleVideoFormat } from './encode';
import { processAlive, siblingPath, withRootLock } from './lock';
import { DEFAULT_SAMPLE_ROOT, resolveSampleOptions, SAMPLE_LAYOUTS, type SampleLayout, type SampleOptions } from './options';
import { manifestFiles, planSampleDataset, type PlannedClip, type SampleSplit } from './plan';
import { renderClip } from './render';
import { formatDuration, rateAndEta } from '@pvnas/base';

export const SAMPLE_MARKER = 'sample.json';
export const SAMPLE_FORMAT = 'pvnas-sample/1';
/** Bumped whenever the same options would give different content; a dataset of another version is regenerated. */
export const SAMPLE_GENERATOR_VERSION = 2;

export interface SampleMarker {
  format: typeof SAMPLE_FORMAT;
  generator: number;
  options: SampleOptions;
  classes: Array<{ name: string; template: string; hflipPartner: string }>;
  summary: {
    clips: Record<SampleSplit, number>;
    frames: number;
    /** SHA-256 over the rendered frames of every clip, in `clips` order (encoder-independent). */
    framesSha256: string;
    /** Manifest files, relative to the root. */
    manifests: string[];
    encoders: Partial<Record<SampleLayout, string[]>>;
    notes: string[];
  };
  clips: Array<{
    split: SampleSplit;
    label: string;
    frames: number;
    sceneSeed: number;
    sha256: string;
    kinetics?: string;
    ssv2?: string;
  }>;
}

export interface GenerateOptions extends Partial<SampleOptions> {
  /** Default `<repo>/data/sample`. */
  root?: string;
  /** ffmpeg encodes at a time. Default 2. */
  concurrency?: number;
  /** Progress lines; default to stderr, `null` for silence. */
  log?: ((line: string) => void) | null;
}

const NOTES = [
  'Synthetic motion classes: a light-and-dark textured object over a low-contrast background; only the order of frames tells the class.',
  'A class moves one coordinate of the object (x, y, log-size or angle) steadily over most of its range; every coordinate, moving or held, is drawn so that a frame at a random time has the same distribution in every class. The object stays whole inside the frame.',
  'Each negative class (left, up, shrinking, counterclockwise) is its partner rendered backwards.',
  'Horizontal flips turn moving left into moving right and clockwise into counterclockwise (classes[].hflipPartner): do not flip, or swap the label.',
  'Both layouts hold the same clips at the same fps (real SSv2 videos are 12 fps; these keep the Kinetics-like rate).',
];

function defaultLog(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** The marker of a dataset root, or undefined when there is none or it is unreadable. */
export function readSampleMarker(root: string): SampleMarker | undefined {
  try {
    const m = JSON.parse(fs.readFileSync(path.join(root, SAMPLE_MARKER), 'utf8')) as SampleMarker;
    return m && m.format === SAMPLE_FORMAT ? m : undefined;
  } catch {
    return undefined;
  }
}

/**
 * True when `root` holds a complete dataset of these options (every listed file present). Its layouts may be
 * more than asked for: a dataset with both layouts serves a request for one.
 */
export function sampleDatasetIsCurrent(root: string, options: SampleOptions): boolean {
  const m = readSampleMarker(root);
  if (!m || m.generator !== SAMPLE_GENERATOR_VERSION) return false;
  if (JSON.stringify({ ...m.options, layouts: [] }) !== JSON.stringify({ ...options, layouts: [] })) return false;
  if (!options.layouts.every((l) => m.options.layouts.includes(l))) return false;
  const files = [...m.summary.manifests, ...m.clips.flatMap((c) => [c.kinetics, c.ssv2].filter((p): p is string => !!p))];
  return files.every((f) => fs.existsSync(path.join(root, f)));
}

/** Deletes leftovers of dead runs: `.<name>.partial-<pid>-*` and `.<name>.old-<pid>-*` siblings. */
function sweepLeftovers(root: string): void {
  const parent = path.dirname(root);
  const prefix = `.${path.basename(root)}.`;
  for (const entry of fs.readdirSync(parent)) {
    const m = entry.startsWith(prefix) ? /^(partial|old)-(\d+)-[0-9a-f]+$/.exec(entry.slice(prefix.length)) : null;
    if (m && !processAlive(Number(m[2]))) fs.rmSync(path.join(parent, entry), { recursive: true, force: true, maxRetries: 3 });
  }
}

/** Refuses to replace a folder that is not a sample dataset. */
function checkReplaceable(root: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(root);
  } catch {
    return;
  }
  if (!stat.isDirectory()) throw new IngestError('bad-config', root, 'exists and is not a folder', 'choose another --root');
  if (fs.readdirSync(root).length > 0 && !fs.existsSync(path.join(root, SAMPLE_MARKER))) {
    throw new IngestError(
      'bad-config',
      root,
      `exists, is not empty and holds no ${SAMPLE_MARKER}: not a sample dataset, left untouched`,
      'remove it or choose another --root',
    );
  }
}

/** Runs `worker` over `count` items, `concurrency` at a time; stops at the first failure. */
async function runPool(count: number, concurrency: number, worker: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const lane = async (): Promise<void> => {
    while (!failed && next < count) {
      const i = next++;
      try {
        await worker(i);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  const lanes = Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, lane);
  const results = await Promise.allSettled(lanes);
  const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (rejected) throw rejected.reason;
}

/** Writes every file of the dataset into `dir` and returns its marker. */
async function writeDataset(dir: string, o: SampleOptions, concurrency: number, log: (line: string) => void): Promise<SampleMarker> {
  const clips = planSampleDataset(o);
  const files = manifestFiles(clips, o);
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }

  const formats: Array<{ layout: SampleLayout; format: SampleVideoFormat; target: (c: PlannedClip) => string }> = [];
  if (o.layouts.includes('kinetics')) formats.push({ layout: 'kinetics', format: 'mp4', target: (c) => c.kinetics.path });
  if (o.layouts.includes('ssv2')) formats.push({ layout: 'ssv2', format: 'webm', target: (c) => c.ssv2.path });

  // One task per (clip, format), clip-major: a clip is rendered when its first encode starts and dropped
  // when its last one ends, so only about `concurrency` clips are in memory.
  const rendered = new Map<number, { frames: Uint8Array; pending: number }>();
  const sha = new Array<string>(clips.length);
  const t0 = Date.now();
  let clipsDone = 0;
  let lastLog = t0;
  const enc = { width: o.width, height: o.height, fps: o.fps, gop: o.gop };
  await runPool(clips.length * formats.length, concurrency, async (task) => {
    const ci = Math.floor(task / formats.length);
    const clip = clips[ci]!;
    const f = formats[task % formats.length]!;
    let entry = rendered.get(ci);
    if (!entry) {
      const { frames } = renderClip({ cls: clip.cls, seed: clip.sceneSeed, width: o.width, height: o.height, frames: clip.frames, fps: o.fps });
      sha[ci] = crypto.createHash('sha256').update(frames).digest('hex');
      entry = { frames, pending: formats.length };
      rendered.set(ci, entry);
    }
    const out = path.join(dir, f.target(clip));
    fs.mkdirSync(path.dirname(out), { recursive: true });
    await encodeFrames(entry.frames, f.format, enc, out);
    if (--entry.pending === 0) {
      rendered.delete(ci);
      clipsDone++;
      const now = Date.now();
      if (now - lastLog >= 2000 && clipsDone < clips.length) {
        lastLog = now;
        const { rate, etaSec } = rateAndEta(clipsDone, (now - t0) / 1000, clips.length - clipsDone);
        log(`sample: ${clipsDone}/${clips.length} clips, ${rate.toFixed(1)} clips/s, ETA ${formatDuration(etaSec)}`);
      }
    }
  });

  const all = crypto.createHash('sha256');
  for (const s of sha) all.update(s);
  const marker: SampleMarker = {
    format: SAMPLE_FORMAT,
    generator: SAMPLE_GENERATOR_VERSION,
    options: o,
    classes: SAMPLE_CLASSES.slice(0, o.classes).map((c) => ({ name: c.name, template: c.template, hflipPartner: c.hflipPartner })),
    summary: {
      clips: { train: clips.filter((c) => c.split === 'train').length, val: clips.filter((c) => c.split === 'val').length },
      frames: clips.reduce((n, c) => n + c.frames, 0),
      framesSha256: all.digest('hex'),
      manifests: Object.keys(files),
      encoders: Object.fromEntries(formats.map((f) => [f.layout, encoderOptions(f.format, o.gop)])),
      notes: NOTES,
    },
    clips: clips.map((c, i) => ({
      split: c.split,
      label: c.cls.name,
      frames: c.frames,
      sceneSeed: c.sceneSeed,
      sha256: sha[i]!,
      ...(o.layouts.includes('kinetics') ? { kinetics: c.kinetics.path } : {}),
      ...(o.layouts.includes('ssv2') ? { ssv2: c.ssv2.path } : {}),
    })),
  };
  fs.writeFileSync(path.join(dir, SAMPLE_MARKER), JSON.stringify(marker, null, 1) + '\n');
  return marker;
}

/** Generates into a partial folder and swaps it into place. Caller holds the root lock. */
async function generateLocked(root: string, o: SampleOptions, concurrency: number, log: (line: string) => void): Promise<SampleMarker> {
  checkReplaceable(root);
  fs.mkdirSync(path.dirname(root), { recursive: true });
  sweepLeftovers(root);
  const tag = `${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
  const partial = siblingPath(root, `partial-${tag}`);
  const clipCount = o.classes * (o.trainPerClass + o.valPerClass);
  log(
    `sample: generating ${clipCount} clips (${o.classes} classes x ${o.trainPerClass} train + ${o.valPerClass} val, ` +
      `${o.width}x${o.height}, ${o.seconds[0]}-${o.seconds[1]} s @ ${o.fps} fps, seed ${o.seed}; ${o.layouts.join(' + ')}) into ${root}`,
  );
  const t0 = Date.now();
  fs.mkdirSync(partial);
  try {
    const marker = await writeDataset(partial, o, concurrency, log);
    checkReplaceable(root); // unchanged while we worked?
    if (fs.existsSync(root)) {
      const old = siblingPath(root, `old-${tag}`);
      fs.renameSync(root, old);
      fs.renameSync(partial, root);
      fs.rmSync(old, { recursive: true, force: true });
    } else {
      fs.renameSync(partial, root);
    }
    log(`sample: done in ${formatDuration((Date.now() - t0) / 1000)} (${marker.summary.frames} frames) -> ${root}`);
    return marker;
  } catch (err) {
    fs.rmSync(partial, { recursive: true, force: true });
    throw err;
  }
}

function setup(opts: GenerateOptions): { root: string; o: SampleOptions; concurrency: number; log: (line: string) => void } {
  const { root, concurrency, log, ...partial } = opts;
  const c = concurrency ?? 2;
  if (!Number.isInteger(c) || c < 1) throw new IngestError('bad-config', 'sample options', `concurrency must be a positive integer, got ${c}`);
  return {
    root: path.resolve(root ?? DEFAULT_SAMPLE_ROOT),
    o: resolveSampleOptions(partial),
    concurrency: c,
    log: log === null ? () => {} : (log ?? defaultLog),
  };
}

/** Generates the dataset (always; replaces an existing sample dataset at the root) and returns its marker. */
export async function generateSampleDataset(opts: GenerateOptions = {}): Promise<SampleMarker> {
  const { root, o, concurrency, log } = setup(opts);
  return withRootLock(root, () => generateLocked(root, o, concurrency, log));
}

/**
 * Returns the root of a sample dataset with these options, generating it only when its marker is
 * missing, holds other options, lacks a layout asked for, or lists a file that is gone (`force`: always).
 * A dataset regenerated for a missing layout keeps the layouts it had (the clips are the same).
 */
export async function ensureSampleDataset(root?: string, opts: Omit<GenerateOptions, 'root'> & { force?: boolean } = {}): Promise<string> {
  const { force, ...rest } = opts;
  const s = setup({ ...rest, root });
  if (!force && sampleDatasetIsCurrent(s.root, s.o)) return s.root;
  await withRootLock(s.root, async () => {
    // Another process may have made it while we waited for the lock.
    if (!force && sampleDatasetIsCurrent(s.root, s.o)) return;
    const had = readSampleMarker(s.root)?.options;
    const same = had && JSON.stringify({ ...had, layouts: [] }) === JSON.stringify({ ...s.o, layouts: [] });
    const layouts = SAMPLE_LAYOUTS.filter((l) => s.o.layouts.includes(l) || (same && had.layouts.includes(l)));
    await generateLocked(s.root, { ...s.o, layouts }, s.concurrency, s.log);
  });
  return s.root;
}

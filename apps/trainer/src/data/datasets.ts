/**
 * Turning a config's `data` into the videos of a split: manifests from libs/ingest, and for the bundled
 * sample set, generating it and filling its LMDB frame cache on first use (what `nx run ingest:kinetics`
 * does with no flags), so `nx run trainer:search` works on a fresh clone.
 */
import * as path from 'node:path';
import { buildCache, CacheIndex, FrameCache, loadManifest, mergeManifests, type Manifest, type VideoRecord } from '@pvnas/ingest';
import { ensureSampleDataset } from '@pvnas/sample';
import type { DataConfig } from '../config/schema';

export const WORKSPACE = path.resolve(__dirname, '..', '..', '..', '..');

/** The frame cache settings of `nx run ingest:*` defaults. */
export const SAMPLE_CACHE_SETTINGS = { shortSide: 48, fps: 30, quality: 90 } as const;

export interface SplitData {
  records: VideoRecord[];
  classes: string[];
  /**
   * LMDB frame cache to read from, or several read as one (`--cache a,b,c`: the shards of `ingest --shard i/n`,
   * each video from the first cache holding it), or undefined to decode the files. Absolute paths.
   */
  cacheDir?: string | string[];
  /** Manifest lines that could not be used (reported, not fatal). */
  issues: Manifest['issues'];
  /** Human-readable origin, for logs and the report. */
  describe: string;
}

function sampleManifests(root: string, layout: 'kinetics' | 'ssv2'): { train: Manifest; val: Manifest } {
  if (layout === 'kinetics') {
    const base = path.join(root, 'kinetics');
    const csv = (f: string) => path.join(base, 'annotations', f);
    const train = loadManifest({ format: 'kinetics', csv: csv('train.csv'), root: base });
    return { train, val: loadManifest({ format: 'kinetics', csv: csv('validate.csv'), root: base, classesFromCsv: csv('train.csv') }) };
  }
  const base = path.join(root, 'ssv2');
  const spec = (split: string) => ({ format: 'ssv2' as const, labels: path.join(base, 'labels', 'something-something-v2-labels.json'), annotations: path.join(base, 'labels', `something-something-v2-${split}.json`), root: path.join(base, '20bn-something-something-v2') });
  return { train: loadManifest(spec('train')), val: loadManifest(spec('validation')) };
}

/**
 * The videos of `split`. `log` receives one line per preparation step (generating the sample set, filling
 * its cache) so a first run does not look stuck.
 */
export async function loadSplit(data: DataConfig, split: 'train' | 'val', opts: { workers: number; log: (line: string) => void; baseDir?: string }): Promise<SplitData> {
  if (data.source === 'sample') {
    opts.log('sample set: checking data/sample (generated on first use, under a minute)');
    const root = await ensureSampleDataset(undefined, { layouts: [data.layout] }); // one layout: half the generation time
    const m = sampleManifests(root, data.layout);
    const cacheDir = path.join(WORKSPACE, 'data', 'cache', `sample-${data.layout}-s${SAMPLE_CACHE_SETTINGS.shortSide}`);
    const report = await buildCache({ manifest: mergeManifests([m.train, m.val]), out: cacheDir, settings: SAMPLE_CACHE_SETTINGS, workers: opts.workers });
    if (report.counts.written > 0) opts.log(`sample set: cached ${report.counts.written} videos in ${cacheDir}`);
    const chosen = split === 'train' ? m.train : m.val;
    return { records: chosen.records, classes: chosen.classes, cacheDir, issues: chosen.issues, describe: `sample set (${data.layout} layout, ${split}), cache ${path.relative(WORKSPACE, cacheDir)}` };
  }
  const spec = split === 'train' ? data.train : data.val;
  if (!spec) throw new Error(`data.val is not set: give a validation manifest (data.val in the config) to ${split === 'val' ? 'evaluate' : 'validate'}`);
  const m = loadManifest(spec, { baseDir: opts.baseDir });
  if (m.records.length === 0) throw new Error(`data.${split}: the manifest gave no usable videos (${m.issues.length} lines skipped${m.issues[0] ? `, first: ${m.issues[0].file}:${m.issues[0].line} ${m.issues[0].reason}` : ''})`);
  const caches = data.cache === undefined ? undefined : (typeof data.cache === 'string' ? [data.cache] : data.cache).map((c) => path.resolve(opts.baseDir ?? process.cwd(), c));
  const cacheDir = caches && (caches.length === 1 ? caches[0] : caches);
  const describeCache = data.cache === undefined ? '' : typeof data.cache === 'string' ? `, cache ${data.cache}` : `, caches ${data.cache.join(', ')}`;
  return { records: m.records, classes: m.classes, cacheDir, issues: m.issues, describe: `${spec.format} manifest (${split})${describeCache}` };
}

/**
 * The settings (short side) of the split's frame cache(s). A list of caches is opened and indexed as one: caches
 * built with different settings are refused (naming both paths); overlapping caches, an incomplete set of shards,
 * and videos of the split in none of the caches are logged (those videos are skipped as the loader meets them, as
 * with a single cache).
 */
async function cacheShortSide(split: SplitData, log: (line: string) => void): Promise<number | undefined> {
  const dirs = split.cacheDir;
  if (dirs === undefined) return undefined;
  if (typeof dirs === 'string') {
    const cache = FrameCache.openReader(dirs);
    const { shortSide } = cache.header;
    await cache.close();
    return shortSide;
  }
  const index = await CacheIndex.open(dirs);
  const missing = split.records.filter((r) => index.dirOf(r.id) === undefined).length;
  log(`frame caches: ${dirs.length} read as one, ${index.size} videos${missing > 0 ? `; ${missing} of the ${split.records.length} videos of this split are in none of them (skipped)` : ''}`);
  if (index.overlaps > 0) log(`frame caches: ${index.overlaps} videos are in more than one cache; each is read from the first listed`);
  const warning = index.shardWarning();
  if (warning) log(`WARNING: frame caches: ${warning}`);
  return index.header.shortSide;
}

/**
 * Checks the split's frame cache(s) before a run reads them. Every cache of a list is opened: caches built with
 * different settings are refused, naming both paths. Refuses a frame cache whose frames are smaller than the run
 * scales them to: `needed` is the smallest short side a clip is resized to (training: the jitter's lower bound;
 * evaluation: the test crop). Upsampled frames train a network on blur it will not see on real videos, so it runs
 * only when the user says so (`allow`), and then loudly.
 */
export async function checkCacheResolution(split: SplitData, needed: number, what: string, allow: boolean, log: (line: string) => void): Promise<void> {
  const shortSide = await cacheShortSide(split, log);
  if (shortSide === undefined || shortSide >= needed) return;
  const named = typeof split.cacheDir === 'string' ? `frame cache ${split.cacheDir}` : `frame caches ${split.cacheDir!.join(', ')}`;
  const problem = `${named} hold${typeof split.cacheDir === 'string' ? 's' : ''} frames at short side ${shortSide}, but ${what} needs at least ${needed}: every frame would be upsampled ${(needed / shortSide).toFixed(2)}x or more`;
  if (!allow) {
    throw new Error(`${problem}. Build a cache at that size (nx run ingest:<dataset> -- ... --short-side ${needed} --out NEW_FOLDER), decode the videos instead (leave out --cache), or accept the blur with --set clips.allowUpsampling=true`);
  }
  log(`WARNING: ${problem} (clips.allowUpsampling is set)`);
}

/**
 * Turning a config's `data` into the videos of a split: manifests from libs/ingest, and for the bundled
 * sample set, generating it and filling its LMDB frame cache on first use (what `nx run ingest:kinetics`
 * does with no flags), so `nx run trainer:search` works on a fresh clone.
 */
import * as path from 'node:path';
import { buildCache, FrameCache, loadManifest, mergeManifests, type Manifest, type VideoRecord } from '@pvnas/ingest';
import { ensureSampleDataset } from '@pvnas/sample';
import type { DataConfig } from '../config/schema';

export const WORKSPACE = path.resolve(__dirname, '..', '..', '..', '..');

/** The frame cache settings of `nx run ingest:*` defaults. */
export const SAMPLE_CACHE_SETTINGS = { shortSide: 48, fps: 30, quality: 90 } as const;

export interface SplitData {
  records: VideoRecord[];
  classes: string[];
  /** LMDB frame cache to read from, or undefined to decode the files. */
  cacheDir?: string;
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
  return { records: m.records, classes: m.classes, cacheDir: data.cache ? path.resolve(opts.baseDir ?? process.cwd(), data.cache) : undefined, issues: m.issues, describe: `${spec.format} manifest (${split})${data.cache ? `, cache ${data.cache}` : ''}` };
}

/**
 * Refuses a frame cache whose frames are smaller than the run scales them to: `needed` is the smallest short
 * side a clip is resized to (training: the jitter's lower bound; evaluation: the test crop). Upsampled frames
 * train a network on blur it will not see on real videos, so it runs only when the user says so
 * (`allow`), and then loudly.
 */
export async function checkCacheResolution(split: SplitData, needed: number, what: string, allow: boolean, log: (line: string) => void): Promise<void> {
  if (!split.cacheDir) return;
  const cache = FrameCache.openReader(split.cacheDir);
  const { shortSide } = cache.header;
  await cache.close();
  if (shortSide >= needed) return;
  const problem = `frame cache ${split.cacheDir} holds frames at short side ${shortSide}, but ${what} needs at least ${needed}: every frame would be upsampled ${(needed / shortSide).toFixed(2)}x or more`;
  if (!allow) {
    throw new Error(`${problem}. Build a cache at that size (nx run ingest:<dataset> -- ... --short-side ${needed} --out NEW_FOLDER), decode the videos instead (leave out --cache), or accept the blur with --set clips.allowUpsampling=true`);
  }
  log(`WARNING: ${problem} (clips.allowUpsampling is set)`);
}

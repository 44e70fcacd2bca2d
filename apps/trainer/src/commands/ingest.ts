/**
 * `pvnas ingest kinetics | ssv2 | ucf101` (also `nx run ingest:kinetics` etc.): fills an LMDB frame cache from a
 * dataset's manifests. With no flags it ingests the bundled sample set
 * (generating it if missing). Ctrl-C stops scheduling, writes what is in flight and the report; run the same
 * command again to continue. `--shard i/n` fills the cache with shard i (0-based) of n of the manifest, so n machines
 * build one dataset's cache in parallel, each into its own folder (read as one with `--cache a,b,c`).
 */
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { formatDuration, rateAndEta } from '@pvnas/base';
import { createProgressBar } from '@pvnas/base/node';
import {
  buildCache,
  defaultWorkerCount,
  formatCacheShard,
  IngestError,
  loadManifest,
  mergeManifests,
  parseCacheShard,
  REPORT_FILE,
  shardRecords,
  type BuildProgress,
  type BuildReport,
  type CacheShard,
  type Manifest,
} from '@pvnas/ingest';
import { intArg } from '../cli/args';
import { WORKSPACE } from '../data/datasets';

type Dataset = 'kinetics' | 'ssv2' | 'ucf101';

interface CommonFlags {
  root?: string;
  out?: string;
  shortSide: number;
  fps: number;
  quality: number;
  workers: number;
  minFrames: number;
  shard?: CacheShard;
  hwaccel?: string;
}

/** The progress line of a cache build: videos done, videos/s and frames/s of this run, failures, ETA. */
function progressText(p: BuildProgress): string {
  const done = p.skipped + p.written + p.failed;
  const { rate, etaSec } = rateAndEta(p.written + p.failed, p.elapsedSec, p.total - done);
  const fps = p.elapsedSec > 0 ? (p.framesWritten / p.elapsedSec).toFixed(0) : '-';
  return `${done}/${p.total} videos | ${rate.toFixed(1)} videos/s | ${fps} frames/s | failed ${p.failed} | ETA ${formatDuration(etaSec)}`;
}

function fpsArg(v: string): number {
  if (v === 'native') return 0;
  const n = Number(v);
  if (!(n > 0) || !Number.isFinite(n)) throw new InvalidArgumentError(`--fps must be a positive number or "native", got "${v}"`);
  return n;
}

/** `--shard i/n`: 0-based, 0 <= i < n; the error says the valid range. */
export function shardArg(v: string): CacheShard {
  try {
    return parseCacheShard(v);
  } catch (e) {
    throw e instanceof IngestError ? new InvalidArgumentError(e.reason) : e;
  }
}

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

async function sampleRoot(layout: 'kinetics' | 'ssv2'): Promise<string> {
  // Imported lazily: only the no-flags default needs the generator.
  const { ensureSampleDataset } = await import('@pvnas/sample');
  return ensureSampleDataset(undefined, { layouts: [layout] });
}

async function kineticsManifest(flags: CommonFlags & { csv?: string[] }): Promise<{ manifest: Manifest; name: string }> {
  let root = flags.root;
  let csvs = flags.csv;
  if (!csvs || csvs.length === 0) {
    if (root) throw new InvalidArgumentError('--root needs --csv (the Kinetics annotation CSVs)');
    root = path.join(await sampleRoot('kinetics'), 'kinetics');
    csvs = ['train.csv', 'validate.csv'].map((f) => path.join(root!, 'annotations', f));
  }
  if (!root) throw new InvalidArgumentError('--csv needs --root (the folder holding the videos)');
  // Classes come from the first CSV (train), so every split shares one label index.
  const manifests = csvs.map((csv, i) => loadManifest({ format: 'kinetics', csv, root: root!, ...(i > 0 ? { classesFromCsv: csvs![0] } : {}) }));
  return { manifest: mergeManifests(manifests), name: 'kinetics' };
}

async function ssv2Manifest(flags: CommonFlags & { labels?: string; annotations?: string[] }): Promise<{ manifest: Manifest; name: string }> {
  let { root, labels, annotations } = flags;
  if (!labels) {
    const base = path.join(await sampleRoot('ssv2'), 'ssv2');
    root = root ?? path.join(base, '20bn-something-something-v2');
    labels = path.join(base, 'labels', 'something-something-v2-labels.json');
    annotations = ['train', 'validation'].map((s) => path.join(base, 'labels', `something-something-v2-${s}.json`));
  }
  if (!root || !annotations || annotations.length === 0) throw new InvalidArgumentError('--labels needs --annotations and --root');
  const manifests = annotations.map((a) => loadManifest({ format: 'ssv2', labels: labels!, annotations: a, root: root! }));
  return { manifest: mergeManifests(manifests), name: 'ssv2' };
}

async function ucf101Manifest(flags: CommonFlags & { splitsDir?: string; split: number }): Promise<{ manifest: Manifest; name: string }> {
  if (!flags.root || !flags.splitsDir) throw new InvalidArgumentError('ucf101 needs --root (UCF-101 videos) and --splits-dir (ucfTrainTestlist)');
  const manifests = (['train', 'test'] as const).map((subset) =>
    loadManifest({ format: 'ucf101', root: flags.root!, splitsDir: flags.splitsDir!, split: flags.split, subset }),
  );
  return { manifest: mergeManifests(manifests), name: 'ucf101' };
}

/** `shard 1/4 (0-based): 60 of the manifest's 240 videos` */
function shardText(shard: CacheShard, videos: number, manifestVideos: number): string {
  return `shard ${formatCacheShard(shard)} (0-based): ${videos} of the manifest's ${manifestVideos} videos`;
}

function printSummary(r: BuildReport): void {
  const c = r.counts;
  const lines = [
    ...(r.shard ? [`${shardText(r.shard, r.shard.videos, r.shard.manifestVideos)}; the other shards go to other folders`] : []),
    `${r.interrupted ? 'stopped early' : 'done'}: ${c.written} written, ${c.skippedCached} already cached, ${c.failed} failed, ${c.inCache} videos in ${r.out}`,
    `${r.framesWritten} frames, ${(r.bytesWritten / 1e6).toFixed(1)} MB JPEG, ${r.framesPerSec.toFixed(0)} frames/s, ${r.elapsedSec.toFixed(1)} s`,
  ];
  if (r.failures.length > 0) lines.push(`failed videos (${r.failures.length}):`, ...r.failures.map((f) => `  ${f.item}: ${f.reason}`));
  if (r.manifestIssues.length > 0) {
    lines.push(`manifest lines skipped (${r.manifestIssues.length}):`, ...r.manifestIssues.slice(0, 20).map((i) => `  ${i.file}:${i.line}: ${i.reason}`));
    if (r.manifestIssues.length > 20) lines.push(`  ... ${r.manifestIssues.length - 20} more in the report`);
  }
  lines.push(`report: ${path.join(r.out, REPORT_FILE)}`);
  if (r.interrupted) lines.push('run the same command again to continue');
  process.stderr.write(lines.join('\n') + '\n');
}

/** Errors of a cache build say they come from one: `pvnas: ingest: <item>: <what to do>`. */
async function named<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    throw e instanceof Error ? Object.assign(e, { message: `ingest: ${e.message}` }) : e;
  }
}

async function run(dataset: Dataset, flags: CommonFlags & Record<string, unknown>): Promise<number> {
  const { manifest, name } =
    dataset === 'kinetics'
      ? await kineticsManifest(flags)
      : dataset === 'ssv2'
        ? await ssv2Manifest(flags)
        : await ucf101Manifest(flags as unknown as CommonFlags & { splitsDir?: string; split: number });
  if (manifest.records.length === 0) {
    // refused before any folder exists: an empty cache that says "done" hides a wrong manifest
    const first = manifest.issues[0];
    throw new Error(
      `ingest: the ${name} manifest lists no videos${manifest.issues.length ? ` (${manifest.issues.length} lines skipped; first: ${first.file}:${first.line}: ${first.reason})` : ' (only a header, or an empty list)'}: check the manifest files; nothing was written`,
    );
  }
  const { shard } = flags;
  const shardSuffix = shard ? `-shard${shard.index}of${shard.count}` : '';
  const out = path.resolve(flags.out ?? path.join(WORKSPACE, 'data', 'cache', `${flags.root ? name : `sample-${name}`}-s${flags.shortSide}${shardSuffix}`));
  const videos = shard ? shardRecords(manifest.records, shard).length : manifest.records.length;
  if (shard) process.stderr.write(`${shardText(shard, videos, manifest.records.length)} -> ${out}\n`);
  const controller = new AbortController();
  // Ctrl-C, or SIGTERM (what schedulers send before a kill): finish the videos in flight, write the report, exit
  // 130 / 143; the same signal again exits at once
  let stoppedBy: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stoppedBy) process.exit(signal === 'SIGTERM' ? 143 : 130);
    stoppedBy = signal;
    process.stderr.write(`\nstopping${signal === 'SIGTERM' ? ' (SIGTERM)' : ''}: finishing the videos in flight (Ctrl-C again to abort now)\n`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const progress = createProgressBar({ total: videos, label: `ingest ${name}${shard ? ` shard ${formatCacheShard(shard)}` : ''}` });
  try {
    const report = await buildCache({
      manifest,
      out,
      settings: { shortSide: flags.shortSide, fps: flags.fps, quality: flags.quality },
      shard,
      workers: flags.workers,
      minFrames: flags.minFrames,
      hwaccel: flags.hwaccel,
      signal: controller.signal,
      onProgress: (p) => progress.update(p.skipped + p.written + p.failed, progressText(p)),
    });
    progress.stop();
    printSummary(report);
    return report.interrupted ? (stoppedBy === 'SIGTERM' ? 143 : 130) : 0;
  } finally {
    progress.stop();
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}

export function addIngestCommands(cli: Command): void {
  const program = cli.command('ingest').description('decode a dataset once into an LMDB frame cache (resumable): kinetics, ssv2, ucf101');
  const common = (cmd: Command): Command =>
    cmd
      .option('--root <dir>', 'folder holding the videos (default: the bundled sample set)')
      .option('--out <dir>', 'cache folder (default: data/cache/<dataset>-s<short side>[-shard<i>of<n>])')
      .addOption(new Option('--short-side <px>', 'stored frames have this short side').default(128).argParser(intArg('--short-side', 16, 4096)))
      .addOption(new Option('--fps <n|native>', 'stored frame rate, or "native" to keep each video\'s').default(30).argParser(fpsArg))
      .addOption(new Option('--quality <q>', 'JPEG quality').default(90).argParser(intArg('--quality', 1, 100)))
      .addOption(new Option('--workers <n>', 'decode workers').default(defaultWorkerCount()).argParser(intArg('--workers', 1, 256)))
      .addOption(new Option('--min-frames <n>', 'videos with fewer frames are refused').default(8).argParser(intArg('--min-frames', 1)))
      .addOption(
        new Option(
          '--shard <i/n>',
          'fill the cache with shard i of n of the manifest (0-based, like SLURM_PROCID; by a hash of each video id), for n machines',
        ).argParser(shardArg),
      )
      .addOption(
        new Option('--hwaccel <device>', 'decode on the GPU (NVDEC, through the in-process decoder; checked before anything is written)').choices(['cuda']),
      );
  common(program.command('kinetics').description('Kinetics: official CSVs (label,youtube_id,time_start,time_end,split)'))
    .option('--csv <file>', 'annotation CSV (repeat: train first, then validate)', collect)
    .action(async (flags) => {
      process.exitCode = await named(run('kinetics', flags));
    });
  common(program.command('ssv2').description('Something-Something-V2: labels json + train/validation json, <id>.webm'))
    .option('--labels <file>', 'something-something-v2-labels.json')
    .option('--annotations <file>', 'something-something-v2-{train,validation}.json (repeat)', collect)
    .action(async (flags) => {
      process.exitCode = await named(run('ssv2', flags));
    });
  common(program.command('ucf101').description('UCF-101: classInd.txt + trainlist0N/testlist0N'))
    .option('--splits-dir <dir>', 'folder with classInd.txt, trainlist01.txt, ...')
    .addOption(new Option('--split <n>', 'split 1..3').default(1).argParser(intArg('--split', 1, 3)))
    .action(async (flags) => {
      process.exitCode = await named(run('ucf101', flags));
    });
}

/**
 * `nx run tools:bench-ingest [-- --quick] [--clips N] [--workers N] [--sets sample,gop30,gop250] ...`
 *
 * Measures, in one run on the same clips: the clip loader over videos (pool), the clip loader over the LMDB frame
 * cache, bare ffmpeg window decodes (the decode limit) and the PyAV reference loader (PySlowFast recipe); prints a
 * table per clip set with the ratios and the targets (PASS/MISS), and writes data/bench/ingest-report-<date>.json.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { writeJsonFile } from '@pvnas/base/node';
import { formatSet, formatSummary } from './format';
import { BENCH_ROOT, CACHE_SETTINGS, defaultOptions, SET_NAMES, TARGETS, TEMPORAL, TRAIN, type BenchOptions, type SetName } from './options';
import { machineInfo, reportPath, runSet, type BenchReport } from './run';

function positiveInt(v: string): number {
  if (!/^\d+$/.test(v.trim()) || Number(v) < 1) throw new InvalidArgumentError('expected a positive whole number');
  return Number(v);
}

function nonNegativeInt(v: string): number {
  if (!/^\d+$/.test(v.trim())) throw new InvalidArgumentError('expected a whole number >= 0');
  return Number(v);
}

function seconds(v: string): number {
  const x = Number(v);
  if (!Number.isFinite(x) || x < 0) throw new InvalidArgumentError('expected seconds >= 0');
  return x;
}

function sets(v: string): SetName[] {
  const names = v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = names.filter((n) => !SET_NAMES.includes(n as SetName));
  if (bad.length || names.length === 0) throw new InvalidArgumentError(`expected a comma list of ${SET_NAMES.join(', ')}`);
  return names as SetName[];
}

export function parseOptions(argv: readonly string[]): BenchOptions {
  const cmd = new Command('bench-ingest')
    .description('ingest benchmark: pool vs LMDB cache vs raw ffmpeg vs the PyAV reference loader, same clips, one run')
    .option('--quick', 'smoke test: 16 clips per set, shorter passes (< 2 min)')
    .option('--clips <n>', 'train clips per set (default 96, quick 16)', positiveInt)
    .option('--workers <n>', 'loader workers = raw ffmpeg and PyAV processes', positiveInt, 2)
    .option('--sets <list>', `clip sets, comma separated (${SET_NAMES.join(', ')})`, sets)
    .option('--seed <n>', 'base seed of the clip list', nonNegativeInt, 0)
    .option('--batch-size <n>', 'loader batch size', positiveInt, 8)
    .option('--rounds <n>', 'timed rounds after the cold one, each one pass of every method (default 3, quick 1)', positiveInt)
    .option('--min-cache-sec <s>', 'seconds of timed cache passes at least, over all rounds (default 3, quick 0.5)', seconds)
    .option('--verify-clips <n>', 'clips whose PyAV frames are compared with decodeFrames', positiveInt)
    .option('--profile-clips <n>', 'clips of the stage breakdown', positiveInt)
    .option('--no-profile', 'skip the stage breakdown')
    .addOption(new Option('--python <path>', 'python with PyAV, numpy, PIL').env('PVNAS_BENCH_PYTHON'))
    .option('--out <dir>', 'folder of the JSON report', BENCH_ROOT)
    .option('--keep', 'keep the work files (frame caches, clip lists, PyAV frames) under <out>/work')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  cmd.parse(argv as string[]);
  const a = cmd.opts();
  const o = defaultOptions(!!a.quick);
  return {
    ...o,
    clips: a.clips ?? o.clips,
    workers: a.workers,
    sets: a.sets ?? o.sets,
    seed: a.seed,
    batchSize: a.batchSize,
    rounds: a.rounds ?? o.rounds,
    minCacheSec: a.minCacheSec ?? o.minCacheSec,
    verifyClips: a.verifyClips ?? o.verifyClips,
    profileClips: a.profileClips ?? o.profileClips,
    profile: a.profile !== false,
    python: a.python ?? o.python,
    out: path.resolve(a.out),
    keep: !!a.keep,
  };
}

export async function main(argv: readonly string[]): Promise<number> {
  let o: BenchOptions;
  try {
    o = parseOptions(argv);
  } catch (e) {
    const code = (e as { exitCode?: number }).exitCode;
    return typeof code === 'number' ? code : 2;
  }
  const started = new Date();
  const log = (l: string): void => void process.stderr.write(`${l}\n`);
  const machine = machineInfo();
  log(
    `bench-ingest${o.quick ? ' --quick' : ''}: sets ${o.sets.join(', ')}, ${o.clips} clips each, ${o.workers} workers; ${machine.cores} cores (${machine.cpu}), load ${machine.load1AtStart.toFixed(2)}`,
  );
  fs.mkdirSync(o.out, { recursive: true });
  const report: BenchReport = {
    format: 'pvnas-bench-ingest/1',
    startedAt: started.toISOString(),
    finishedAt: '',
    elapsedSec: 0,
    command: ['node', 'tools/bench/bin/ingest.js', ...argv.slice(2)].join(' '),
    options: o,
    recipe: { temporal: TEMPORAL, train: TRAIN, cache: CACHE_SETTINGS, targets: TARGETS },
    machine,
    sets: [],
    summary: [],
  };
  const file = reportPath(o.out, started);
  for (const name of o.sets) {
    const r = await runSet(name, o, log);
    report.sets.push(r);
    report.summary.push(...r.targets.map((t) => ({ set: name, ...t })));
    process.stdout.write(`${formatSet(r, o.workers)}\n`);
    report.finishedAt = new Date().toISOString();
    report.elapsedSec = (Date.now() - started.getTime()) / 1000;
    writeJsonFile(file, report);
  }
  process.stdout.write(`${formatSummary(report)}\n`);
  process.stdout.write(`report: ${path.relative(process.cwd(), file) || file} (${report.elapsedSec.toFixed(0)} s run)\n`);
  return 0;
}

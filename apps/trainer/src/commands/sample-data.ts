/**
 * `pvnas sample-data [--root DIR] [--seed N] [--force] ...` (`npm run sample`): makes the sample dataset if it is
 * missing or was made with other options, and prints its root on stdout. Any command that needs the set makes
 * it on first use; this one is for making it ahead of time, or with other options.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { intArg } from '../cli/args';
import { DEFAULT_SAMPLE_OPTIONS, DEFAULT_SAMPLE_ROOT, ensureSampleDataset, type SampleLayout } from '@pvnas/sample';

function size(value: string): [number, number] {
  const m = /^(\d+)x(\d+)$/i.exec(value.trim());
  if (!m) throw new InvalidArgumentError('expected WIDTHxHEIGHT, e.g. 160x120');
  return [Number(m[1]), Number(m[2])];
}

function seconds(value: string): [number, number] {
  const parts = value.split('-').map((p) => Number(p.trim()));
  if ((parts.length !== 1 && parts.length !== 2) || parts.some((p) => !Number.isFinite(p))) {
    throw new InvalidArgumentError('expected SECONDS or MIN-MAX, e.g. 3-4');
  }
  return [parts[0]!, parts[parts.length - 1]!];
}

interface SampleDataFlags {
  root: string;
  seed: number;
  force: boolean;
  classes: number;
  train: number;
  val: number;
  size: [number, number];
  seconds: [number, number];
  fps: number;
  gop: number;
  layouts: string;
  concurrency: number;
  quiet: boolean;
}

export function addSampleDataCommand(cli: Command): void {
  const d = DEFAULT_SAMPLE_OPTIONS;
  cli
    .command('sample-data')
    .description('generate the bundled sample dataset (synthetic motion clips, Kinetics + SSv2 layouts) if missing or stale; prints its root')
    .option('--root <dir>', 'dataset root', DEFAULT_SAMPLE_ROOT)
    .option('--seed <n>', 'base seed', intArg('--seed'), d.seed)
    .option('--force', 'regenerate even when the dataset is up to date', false)
    .option('--classes <n>', 'number of classes, 2..8 (the first N)', intArg('--classes'), d.classes)
    .option('--train <n>', 'train clips per class', intArg('--train'), d.trainPerClass)
    .option('--val <n>', 'validation clips per class', intArg('--val'), d.valPerClass)
    .addOption(new Option('--size <WxH>', 'frame size').argParser(size).default([d.width, d.height], `${d.width}x${d.height}`))
    .addOption(new Option('--seconds <min-max>', 'clip length range, seconds').argParser(seconds).default(d.seconds, d.seconds.join('-')))
    .option('--fps <n>', 'frames per second', intArg('--fps'), d.fps)
    .option('--gop <n>', 'keyframe interval, frames', intArg('--gop'), d.gop)
    .option('--layouts <list>', 'comma-separated: kinetics,ssv2', d.layouts.join(','))
    .option('--concurrency <n>', 'ffmpeg encodes at a time', intArg('--concurrency'), 2)
    .option('--quiet', 'no progress lines', false)
    .action(async (a: SampleDataFlags) => {
      const root = await ensureSampleDataset(a.root, {
        force: a.force,
        seed: a.seed,
        classes: a.classes,
        trainPerClass: a.train,
        valPerClass: a.val,
        width: a.size[0],
        height: a.size[1],
        seconds: a.seconds,
        fps: a.fps,
        gop: a.gop,
        layouts: a.layouts
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean) as SampleLayout[],
        concurrency: a.concurrency,
        log: a.quiet ? null : undefined,
      });
      process.stdout.write(`${root}\n`);
    });
}

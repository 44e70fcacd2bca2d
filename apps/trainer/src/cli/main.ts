/**
 * The `pvnas` command. Inspection subcommands print JSON to stdout (for users and for scripts):
 *   pvnas probe VIDEO                          {"frames", "fps", "width", "height", "codec"}
 *   pvnas sample VIDEO --seed N [--test]       {"indices": [[...8], ...]} (1 train clip, or the 10 test clips)
 *   pvnas frames VIDEO --indices 0,10 --out D  writes D/frames.rgb (rgb24, native size, in the given order)
 *                                              and D/frames.json {"indices", "width", "height"}
 *   pvnas doctor                               {"backend", "device", "libtorch", "gpus", "threads", ...} + fixes on stderr
 * Search-space subcommands (space, derive, count, random-arch): see nas-commands.ts.
 * Training subcommands (search, retrain, evaluate): see train-commands.ts; plot: plot-command.ts; cache builds
 * (ingest kinetics|ssv2|ucf101): commands/ingest.ts; the sample set (sample-data): commands/sample-data.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { decodeFrames, DEFAULT_TEMPORAL, probeVideo, sampleTestIndices, sampleTrainIndices } from '@pvnas/ingest';
import { intArg, printJson } from './args';
import { addNasCommands } from './nas-commands';
import { addTrainCommands } from './train-commands';
import { addPlotCommand } from './plot-command';
import { addIngestCommands } from '../commands/ingest';
import { addSampleDataCommand } from '../commands/sample-data';
import { createRng, DEFAULT_TEST_CLIPS } from '@pvnas/base';
import { doctorSummary, torchDoctor } from '@pvnas/nas';

function indexList(v: string): number[] {
  const parts = v.split(',').map((s) => s.trim());
  const out = parts.map((p) => Number(p));
  if (parts.length === 0 || out.some((n, i) => parts[i] === '' || !Number.isInteger(n) || n < 0)) {
    throw new InvalidArgumentError(`--indices must be comma-separated frame numbers >= 0, like 0,10,20; got "${v}"`);
  }
  return out;
}

export function program(): Command {
  const cli = new Command('pvnas').description('PV-NAS for video: inspection, search and training.').showHelpAfterError();

  cli
    .command('probe')
    .description("print a video's frame count, frame rate, size and codec as JSON")
    .argument('<video>', 'video file')
    .action(async (video: string) => {
      const info = await probeVideo(path.resolve(video), { minFrames: 1 });
      printJson({ frames: info.frames, fps: info.fps, width: info.width, height: info.height, codec: info.codec });
    });

  cli
    .command('sample')
    .description('print the frame indices the loader samples from a video (train: 1 clip from --seed; --test: the 10 test clips)')
    .argument('<video>', 'video file')
    .addOption(new Option('--seed <n>', 'seed of the train clip (its first draw is the window start)').default(0).argParser(intArg('--seed')))
    .option('--test', 'the 10 evenly spaced test clips instead of one random train clip')
    .addOption(new Option('--clips <n>', 'number of test clips').default(DEFAULT_TEST_CLIPS).argParser(intArg('--clips', 1)))
    .action(async (video: string, flags: { seed: number; test?: boolean; clips: number }) => {
      const info = await probeVideo(path.resolve(video), { minFrames: 1 });
      const indices = flags.test
        ? sampleTestIndices(info.frames, info.fps, flags.clips, DEFAULT_TEMPORAL)
        : [sampleTrainIndices(info.frames, info.fps, createRng(flags.seed), DEFAULT_TEMPORAL)];
      printJson({ indices });
    });

  cli
    .command('frames')
    .description('decode frames at native size: DIR/frames.rgb (rgb24, frames concatenated in the given order) and DIR/frames.json')
    .argument('<video>', 'video file')
    .requiredOption('--indices <list>', 'comma-separated 0-based frame indices, e.g. 0,10,20', indexList)
    .requiredOption('--out <dir>', 'output folder (created if missing)')
    .action(async (video: string, flags: { indices: number[]; out: string }) => {
      const batch = await decodeFrames(path.resolve(video), flags.indices);
      fs.mkdirSync(flags.out, { recursive: true });
      fs.writeFileSync(path.join(flags.out, 'frames.rgb'), batch.data);
      const meta = { indices: flags.indices, width: batch.width, height: batch.height };
      fs.writeFileSync(path.join(flags.out, 'frames.json'), JSON.stringify(meta) + '\n');
      printJson({ ...meta, out: path.resolve(flags.out) });
    });

  cli
    .command('doctor')
    .description('what the torch backend has here (addon, libtorch and its source, CUDA, GPUs, threads) as JSON, with fixes on stderr')
    .action(async () => {
      const report = await torchDoctor();
      for (const line of doctorSummary(report)) process.stderr.write(line + '\n');
      printJson(report);
    });

  addSampleDataCommand(cli);
  addIngestCommands(cli);
  addNasCommands(cli);
  addTrainCommands(cli);
  addPlotCommand(cli);

  return cli;
}

export async function main(argv: string[]): Promise<void> {
  await program().parseAsync(argv);
}

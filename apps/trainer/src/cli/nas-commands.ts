/**
 * Search-space commands of `pvnas`, each printing JSON to stdout:
 *   pvnas space                                  {"spatial", "temporal", "network"} (strings above 2^53)
 *   pvnas derive --alphas FILE --out FILE        the genotype of an alphas file
 *   pvnas count --genotype FILE [--layout L|M] [--frames 8 --size 224 --classes 400]
 *   pvnas random-arch --seed N --out FILE        a random genotype (>= 4 convolutions per cell)
 *   pvnas export --model DIR --out DIR [--frames 8 --size 224]
 *                                                a saved derived network as a tfjs graph model
 */
import path from 'node:path';
import { Command, Option } from 'commander';
import { intArg, printJson } from './args';
import {
  defaultLayout,
  deriveGenotype,
  exactJson,
  exportGraphModel,
  loadDerived,
  selectBackend,
  networkCost,
  PRESETS,
  randomGenotype,
  readAlphas,
  readGenotype,
  spaceSize,
  writeGenotype,
  type PresetName,
} from '@pvnas/nas';
import { readJson } from '@pvnas/base/node';

export function addNasCommands(cli: Command): void {
  cli
    .command('space')
    .description('print the exact size of the search space: cells per spatial and temporal category, and networks')
    .action(() => {
      const s = spaceSize();
      printJson({ spatial: exactJson(s.spatial), temporal: exactJson(s.temporal), network: exactJson(s.network) });
    });

  cli
    .command('derive')
    .description('derive a genotype from an alphas file (best non-none op per edge, two strongest edges per node)')
    .requiredOption('--alphas <file>', 'alphas file (*.alphas.json)')
    .requiredOption('--out <file>', 'genotype file to write (*.genotype.json)')
    .action((flags: { alphas: string; out: string }) => {
      const alphas = readAlphas(path.resolve(flags.alphas));
      const genotype = deriveGenotype(alphas, { ...alphas.source, from: path.resolve(flags.alphas) });
      writeGenotype(path.resolve(flags.out), genotype);
      printJson({ out: path.resolve(flags.out), cells: genotype.cells });
    });

  cli
    .command('count')
    .description('parameters and GFLOPs per view (multiply-adds of convolutions and classifier, as fvcore) of a derived network')
    .requiredOption('--genotype <file>', 'genotype file')
    .addOption(new Option('--layout <preset>', 'PV-NAS-L (K=1, C=64) or PV-NAS-M (K=2, C=100)').choices(['L', 'M']).default('L'))
    .addOption(new Option('--frames <n>', 'frames per view').default(8).argParser(intArg('--frames', 1)))
    .addOption(new Option('--size <n>', 'crop size').default(224).argParser(intArg('--size', 8)))
    .addOption(new Option('--classes <n>', 'classes').default(400).argParser(intArg('--classes', 1)))
    .addOption(new Option('--channels <n>', "initial channels (default: the preset's)").argParser(intArg('--channels', 2)))
    .addOption(
      new Option('--stem-stride <n>', 'spatial stride of the stem (4: the retraining default, two stride-2 convs)').choices(['1', '2', '4']).default('4'),
    )
    .addOption(new Option('--temporal-stride <n>', 'temporal stride of T-RC').default(1).argParser(intArg('--temporal-stride', 1)))
    .action(
      (flags: {
        genotype: string;
        layout: PresetName;
        frames: number;
        size: number;
        classes: number;
        channels?: number;
        stemStride: string;
        temporalStride: number;
      }) => {
        const genotype = readGenotype(path.resolve(flags.genotype));
        const preset = PRESETS[flags.layout];
        const channels = flags.channels ?? preset.channels;
        const cost = networkCost(genotype, {
          channels,
          classes: flags.classes,
          layout: defaultLayout(preset.repeats),
          stemStride: Number(flags.stemStride),
          frames: flags.frames,
          size: flags.size,
          temporalStride: flags.temporalStride,
        });
        printJson({
          layout: flags.layout,
          repeats: preset.repeats,
          channels,
          input: [flags.frames, flags.size, flags.size, 3],
          classes: flags.classes,
          stemStride: Number(flags.stemStride),
          temporalStride: flags.temporalStride,
          params: cost.params,
          paramsM: +(cost.params / 1e6).toFixed(3),
          gflops: +(cost.macs / 1e9).toFixed(3),
        });
      },
    );

  cli
    .command('random-arch')
    .description('write a random genotype (seeded; at least 4 convolutions per cell)')
    .requiredOption('--seed <n>', 'seed', intArg('--seed'))
    .requiredOption('--out <file>', 'genotype file to write')
    .option('--spatial-only', 'temporal cells too from the spatial ops only: a 2D network, no op looks across frames')
    .action((flags: { seed: number; out: string; spatialOnly?: boolean }) => {
      const genotype = randomGenotype(flags.seed, 4, !!flags.spatialOnly);
      writeGenotype(path.resolve(flags.out), genotype);
      printJson({ out: path.resolve(flags.out), cells: genotype.cells });
    });

  cli
    .command('export')
    .description("write a saved derived network (model.json + weights.bin) in tfjs's graph-model format, for tf.loadGraphModel anywhere")
    .requiredOption('--model <dir>', 'folder of a saved derived network (its model.json and weights.bin)')
    .requiredOption('--out <dir>', 'folder to write the graph model to (model.json, group1-shard1of1.bin)')
    .addOption(new Option('--frames <n>', 'frames per clip of the exported input').default(8).argParser(intArg('--frames', 1)))
    .addOption(new Option('--size <n>', 'input height and width').default(224).argParser(intArg('--size', 8)))
    .addOption(
      new Option('--window <n>', 'frames at 30 fps the clip spans, as in training (recorded in the metadata)').default(64).argParser(intArg('--window', 1)),
    )
    .option('--classes <file>', 'JSON list of the class names in logit order (recorded in the metadata; the viewer shows them)')
    .action(async (flags: { model: string; out: string; frames: number; size: number; window: number; classes?: string }) => {
      const classes = flags.classes ? readJson(path.resolve(flags.classes), 'class list') : undefined;
      if (classes !== undefined && (!Array.isArray(classes) || classes.some((c) => typeof c !== 'string')))
        throw new Error(`--classes ${flags.classes}: expected a JSON list of class names`);
      await selectBackend({ log: null });
      const net = loadDerived(path.resolve(flags.model));
      try {
        const { nodes, bytes } = await exportGraphModel(
          net,
          { frames: flags.frames, size: flags.size, window: flags.window, classes: classes as string[] | undefined },
          path.resolve(flags.out),
        );
        printJson({
          out: path.resolve(flags.out),
          input: [-1, flags.frames, flags.size, flags.size, 3],
          output: [-1, net.config.classes],
          nodes,
          weightBytes: bytes,
        });
      } finally {
        net.dispose();
      }
    });
}

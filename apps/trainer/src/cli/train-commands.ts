/**
 * `pvnas search | retrain | evaluate`: parse flags into config overrides (config.ts's schema validates the
 * result) and run. Results go to stdout as one JSON line; logs and progress to stderr. Exit codes: 0 done,
 * 1 error (bad config, NaN loss, ...), 130 stopped by Ctrl-C / 143 by SIGTERM with a checkpoint written (continue
 * with --resume).
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { BACKEND_NAMES, CELL_TYPES, SEARCH_STRATEGIES } from '@pvnas/nas';
import { commandLineOverrides, resolveConfig } from '../config/load';
import { DATASETS, type Dataset } from '../config/schema';
import { describeAblation, resolveAblationConfig, runAblation } from '../commands/ablation';
import { runEvaluate } from '../commands/evaluate';
import { runIndicators } from '../commands/indicators';
import { runRetrain } from '../commands/retrain';
import { runSearch } from '../commands/search';
import { stopExitCode } from '../commands/session';
import { runView } from '../commands/view';
import { intArg, positiveNumber, printJson } from './args';
import { addLaunchOptions, launchRequested, launchWorkers, workerPlace, type WorkerPlace } from './launch';

const log = (line: string): void => void process.stderr.write(line + '\n');

function pair(name: string) {
  return (v: string): [number, number] => {
    const parts = v.split(',').map((s) => Number(s.trim()));
    if (parts.length !== 2 || parts.some((n) => !Number.isInteger(n) || n < 1))
      throw new InvalidArgumentError(`${name} must be two integers like 128,164; got "${v}"`);
    return [parts[0], parts[1]];
  };
}

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

interface CommonFlags {
  config?: string;
  set?: string[];
  name?: string;
  runsDir?: string;
  seed?: number;
  backend?: string;
  device?: string;
  workers?: number;
  batchSize?: number;
  manifest?: string;
  valManifest?: string;
  root?: string;
  labels?: string;
  cache?: string;
  split?: number;
  nprocPerNode?: number;
  nnodes?: number;
  nodeRank?: number;
  masterAddr?: string;
  masterPort?: number;
}

/**
 * Data parallel (cli/launch.ts): with --nproc-per-node/--nnodes this process becomes the launcher (runs the workers,
 * sets the exit code, returns undefined); in a worker, where it stands and its log (ranks other than 0 stay quiet but
 * for errors); alone, just the log.
 */
async function dataParallel(f: CommonFlags): Promise<{ place?: WorkerPlace; primary: boolean; log: (line: string) => void } | undefined> {
  const launch = launchRequested(f);
  if (launch) {
    process.exitCode = await launchWorkers(launch, process.argv, log);
    return undefined;
  }
  const place = workerPlace();
  const primary = !place || place.rank === 0;
  return { place, primary, log: primary ? log : () => {} };
}

/** Options every command takes. */
function common(cmd: Command): Command {
  return cmd
    .option('--config <file>', 'config file (JSON or YAML); flags override its values')
    .option('--set <key=value>', 'override any config key, e.g. --set optim.gradClip=5 (repeatable)', collect)
    .option('--name <name>', 'run folder name under the runs folder (default: <command>-<date>-<time>)')
    .option('--runs-dir <dir>', 'folder of run folders (default runs)')
    .addOption(new Option('--seed <n>', 'seed of everything random').argParser(intArg('--seed')))
    .addOption(new Option('--backend <name>', 'tensor backend').choices(['auto', ...BACKEND_NAMES]))
    .option('--device <device>', 'where the torch backend computes: auto (default: cuda when built with it and a GPU is visible), cpu, cuda, cuda:N')
    .addOption(new Option('--workers <n>', 'loader worker threads').argParser(intArg('--workers', 1)))
    .addOption(new Option('--batch-size <n>', 'clips per batch').argParser(intArg('--batch-size', 1)))
    .option(
      '--manifest <file>',
      'training manifest: Kinetics CSV, SSv2 annotations JSON (with --labels), or UCF-101 splits folder (with --split); default: the bundled sample set',
    )
    .option('--val-manifest <file>', 'validation manifest, same format as --manifest')
    .option('--root <dir>', 'folder holding the videos of the manifests')
    .option('--labels <file>', 'SSv2 labels JSON')
    .addOption(new Option('--split <n>', 'UCF-101 split (1-3)').argParser(intArg('--split', 1)))
    .option('--cache <dir[,dir...]>', 'LMDB frame cache(s) holding the videos (from nx run ingest:<dataset>; several, e.g. shards: a,b,c)');
}

/** The data section from --manifest & co. (undefined: the config's or the sample set). */
/** The common options plus what search and retraining both take; `paper` gives each flag's paper value. */
function training(cmd: Command, paper: { epochs: string; channels: string; jitter: string; crop: string }): Command {
  return addLaunchOptions(common(cmd))
    .addOption(new Option('--epochs <n>', `epochs (${paper.epochs})`).argParser(intArg('--epochs', 1)))
    .addOption(new Option('--channels <n>', `initial channels (${paper.channels})`).argParser(intArg('--channels', 2)))
    .addOption(new Option('--jitter <min,max>', `short-side jitter (${paper.jitter})`).argParser(pair('--jitter')))
    .addOption(new Option('--crop <n>', `crop size (${paper.crop})`).argParser(intArg('--crop', 8)))
    .option('--resume <run>', `continue a stopped or killed ${cmd.name()} run (name or folder) from its last checkpoint`)
    .option('--dry-run', 'print the resolved config (preset <- config file <- flags) as JSON and exit');
}

function dataFlags(f: CommonFlags, dataset: Dataset): Record<string, unknown> | undefined {
  if (!f.manifest) {
    if (f.valManifest || f.root || f.cache || f.labels) throw new InvalidArgumentError('--val-manifest, --root, --labels and --cache need --manifest');
    return undefined;
  }
  if (!f.root) throw new InvalidArgumentError('--manifest needs --root (the folder holding the videos)');
  // --cache a,b,c: several caches read as one (the shards of `ingest --shard i/n`)
  const caches = f.cache?.split(',').map((c) => c.trim());
  if (caches?.some((c) => c === '')) throw new InvalidArgumentError(`--cache takes a cache folder or a comma-separated list of them, got "${f.cache}"`);
  const spec = (file: string, subset: 'train' | 'test') => {
    if (dataset === 'kinetics') return { format: 'kinetics', csv: file, root: f.root, ...(subset === 'test' && { classesFromCsv: f.manifest }) };
    if (dataset === 'ssv2') {
      if (!f.labels) throw new InvalidArgumentError('SSv2 needs --labels (something-something-v2-labels.json)');
      return { format: 'ssv2', labels: f.labels, annotations: file, root: f.root };
    }
    return { format: 'ucf101', root: f.root, splitsDir: file, split: f.split ?? 1, subset };
  };
  return {
    source: 'manifest',
    train: spec(f.manifest, 'train'),
    ...(f.valManifest && { val: spec(f.valManifest, 'test') }),
    ...(caches && { cache: caches.length === 1 ? caches[0] : caches }),
  };
}

/** `--set` pairs and the named flags (`extra`: the command's own, by dotted config key), merged key by key. */
function overrides(f: CommonFlags, dataset: Dataset, extra: Record<string, unknown>): Record<string, unknown> {
  return commandLineOverrides(f.set ?? [], {
    name: f.name,
    runsDir: f.runsDir,
    seed: f.seed,
    backend: f.backend,
    device: f.device,
    workers: f.workers,
    batchSize: f.batchSize,
    data: dataFlags(f, dataset),
    ...extra,
  });
}

function exitFor(status: 'done' | 'stopped'): void {
  if (status === 'stopped') process.exitCode = stopExitCode();
}

/** `--strategies darts,sampling`: names of search strategies, each checked. */
function strategyList(v: string): string[] {
  const names = v.split(',').map((x) => x.trim());
  const bad = names.filter((n) => !(SEARCH_STRATEGIES as readonly string[]).includes(n));
  if (bad.length || !names.length) throw new InvalidArgumentError(`--strategies takes ${SEARCH_STRATEGIES.join(', ')}, comma-separated; got "${v}"`);
  return names;
}

function intList(name: string) {
  return (v: string): number[] => {
    const out = v.split(',').map((x) => Number(x.trim()));
    if (out.length === 0 || out.some((n) => !Number.isInteger(n) || n < 0)) throw new InvalidArgumentError(`${name} must be integers like 1,2,3; got "${v}"`);
    return out;
  };
}

export function addTrainCommands(cli: Command): void {
  training(
    cli
      .command('search')
      .description(
        'one-level differentiable search on the Kinetics layout (no flags: the bundled sample set, a few minutes on 2 cores); ends with the genotype and the run folder',
      )
      .addOption(new Option('--lr-schedule <kind>', 'weight LR schedule: step (paper), cosine (DARTS), constant').choices(['step', 'cosine', 'constant']))
      .addOption(
        new Option(
          '--strategy <name>',
          "darts (the paper: every op of every edge), sampling (one Gumbel-drawn path a step: one network's memory), training-free (random architectures ranked at initialisation), evolution (regularized evolution, candidates trained briefly), random (random search, trained the same way)",
        ).choices([...SEARCH_STRATEGIES]),
      )
      .addOption(
        new Option(
          '--max-gflops <G>',
          'GFLOPs budget of the derived network (PV-NAS-L at 8x224x224; budget.target): a cost term, or rejected candidates',
        ).argParser(positiveNumber('--max-gflops')),
      )
      .addOption(
        new Option(
          '--max-ms <M>',
          'ms per clip of the derived network (budget.target) on this backend: a cost term from a latency table, or rejected candidates',
        ).argParser(positiveNumber('--max-ms')),
      ),
    { epochs: 'paper 80', channels: 'paper 64', jitter: 'paper 128,164', crop: 'paper 112' },
  ).action(
    async (
      f: CommonFlags & {
        epochs?: number;
        channels?: number;
        jitter?: [number, number];
        crop?: number;
        lrSchedule?: string;
        strategy?: string;
        maxGflops?: number;
        maxMs?: number;
        resume?: string;
        dryRun?: boolean;
      },
    ) => {
      const extra = {
        epochs: f.epochs,
        channels: f.channels,
        'clips.jitter': f.jitter,
        'clips.crop': f.crop,
        'optim.weightLr.kind': f.lrSchedule,
        strategy: f.strategy,
        'budget.maxGflops': f.maxGflops,
        'budget.maxMs': f.maxMs,
      };
      if (f.dryRun) return printJson(resolveConfig('search', 'kinetics', { file: f.config, flags: overrides(f, 'kinetics', extra) }));
      const dp = await dataParallel(f);
      if (!dp) return;
      const r = await runSearch({
        config: f.config,
        overrides: overrides(f, 'kinetics', extra),
        resume: f.resume,
        preset: 'search',
        dataset: 'kinetics',
        log: dp.log,
        place: dp.place,
      });
      exitFor(r.status);
      if (!dp.primary) return;
      printJson({
        status: r.status,
        run: r.run,
        genotype: r.genotype ? `${r.run}/genotype.json` : null,
        ...(r.genotype && { cells: Object.fromEntries(CELL_TYPES.map((t) => [t, r.genotype!.cells[t].edges])) }),
      });
    },
  );

  training(
    cli
      .command('retrain')
      .description('train a derived network from scratch on a genotype (default: the newest search result, else the bundled genotype)')
      .addOption(
        new Option('--dataset <name>', 'dataset defaults: ssv2 (no flip, jitter 256,320, crop 224), kinetics, ucf101 (jitter 128,256)')
          .choices([...DATASETS])
          .default('ssv2'),
      )
      .option('--genotype <file>', 'genotype file to retrain')
      .addOption(new Option('--repeats <n>', 'normal cells per stage K (PV-NAS-L 1, -M 2)').argParser(intArg('--repeats', 1))),
    { epochs: 'paper 196', channels: 'PV-NAS-L 64, -M 100', jitter: 'paper 256,320; UCF-101 128,256', crop: 'paper 224; UCF-101 112' },
  ).action(
    async (
      f: CommonFlags & {
        dataset: Dataset;
        genotype?: string;
        epochs?: number;
        channels?: number;
        repeats?: number;
        jitter?: [number, number];
        crop?: number;
        resume?: string;
        dryRun?: boolean;
      },
    ) => {
      const extra = { genotype: f.genotype, epochs: f.epochs, channels: f.channels, repeats: f.repeats, 'clips.jitter': f.jitter, 'clips.crop': f.crop };
      if (f.dryRun) return printJson(resolveConfig('retrain', f.dataset, { file: f.config, flags: overrides(f, f.dataset, extra) }));
      const dp = await dataParallel(f);
      if (!dp) return;
      const r = await runRetrain({
        config: f.config,
        overrides: overrides(f, f.dataset, extra),
        resume: f.resume,
        preset: `retrain-${f.dataset}`,
        dataset: f.dataset,
        log: dp.log,
        place: dp.place,
      });
      exitFor(r.status);
      if (!dp.primary) return;
      printJson({ status: r.status, run: r.run, model: r.status === 'done' ? `${r.run}/model` : null });
    },
  );

  addLaunchOptions(
    common(
      cli
        .command('evaluate')
        .description('30-view evaluation (10 clips x 3 crops, mean softmax) of a trained model: top-1, top-5, per class, confusion matrix, single view')
        .addOption(new Option('--dataset <name>', 'dataset layout of the default sample split and of --manifest').choices([...DATASETS]).default('ssv2'))
        .option('--model <run|dir>', 'a retrain run (name or folder) or a model folder (default: the newest finished retrain run)')
        .addOption(new Option('--clips <n>', 'temporal clips per video (x 3 crops)').argParser(intArg('--clips', 1)))
        .addOption(new Option('--crop <n>', 'test crop (default: the training crop)').argParser(intArg('--crop', 8)))
        .option('--shuffle-frames', 'also evaluate with the frames of every clip shuffled (how much the model relies on time)')
        .option('--dry-run', 'print the resolved config as JSON and exit'),
    ),
  ).action(async (f: CommonFlags & { dataset: Dataset; model?: string; clips?: number; crop?: number; shuffleFrames?: boolean; dryRun?: boolean }) => {
    if (f.manifest && !f.valManifest) f.valManifest = f.manifest; // evaluate reads the validation split
    const extra = { model: f.model, clipsPerVideo: f.clips, crop: f.crop, shuffleFrames: f.shuffleFrames };
    if (f.dryRun) return printJson(resolveConfig('evaluate', f.dataset, { file: f.config, flags: overrides(f, f.dataset, extra) }));
    const dp = await dataParallel(f);
    if (!dp) return;
    const r = await runEvaluate({ config: f.config, overrides: overrides(f, f.dataset, extra), dataset: f.dataset, log: dp.log, place: dp.place });
    if (!dp.primary) return;
    const summary = Object.fromEntries(
      Object.entries(r.results).map(([k, ev]) => [
        k,
        {
          videos: ev.multiView.videos,
          top1: ev.multiView.top1.accuracy,
          top5: ev.multiView.top5.accuracy,
          singleViewTop1: ev.singleView?.top1.accuracy ?? null,
          meanClassAccuracy: ev.multiView.meanClassAccuracy,
        },
      ]),
    );
    printJson({ run: r.run, ...summary });
  });

  common(
    cli
      .command('ablation')
      .description(
        "the paper's claims at sample scale: step vs cosine search, searched vs random genotypes, stop early, shuffled frames, 2D baseline (resumable: the same command continues)",
      )
      .addOption(
        new Option('--dataset <name>', 'dataset presets of retraining and evaluation (and layout of the sample set)')
          .choices([...DATASETS])
          .default('kinetics'),
      )
      .addOption(new Option('--seeds <list>', 'search seeds, one search per schedule and seed (default 1,2,3)').argParser(intList('--seeds')))
      .addOption(new Option('--random <n>', 'random genotypes to retrain (default 5)').argParser(intArg('--random')))
      .addOption(new Option('--jobs <n>', 'runs at once (default 2 on 2+ cores)').argParser(intArg('--jobs', 1)))
      .addOption(new Option('--search-epochs <n>', 'budget: epochs of each search (sample preset 9)').argParser(intArg('--search-epochs', 1)))
      .addOption(new Option('--retrain-epochs <n>', 'budget: epochs of each retraining (default 12)').argParser(intArg('--retrain-epochs', 1)))
      .addOption(new Option('--clips <n>', 'budget: test clips a video (x 3 crops; default 10)').argParser(intArg('--clips', 1)))
      .addOption(
        new Option(
          '--strategies <list>',
          `search strategies to compare at the same wall-clock budget (${SEARCH_STRATEGIES.join(', ')}; default none)`,
        ).argParser(strategyList),
      )
      .addOption(
        new Option('--strategy-minutes <m>', 'wall-clock minutes of search each strategy gets (default 3)').argParser(positiveNumber('--strategy-minutes')),
      )
      .option('--dry-run', 'print the resolved ablation config, its folder and its runs as JSON and exit'),
  ).action(
    async (
      f: CommonFlags & {
        dataset: Dataset;
        seeds?: number[];
        random?: number;
        jobs?: number;
        searchEpochs?: number;
        retrainEpochs?: number;
        clips?: number;
        strategies?: string[];
        strategyMinutes?: number;
        dryRun?: boolean;
      },
    ) => {
      const o = commandLineOverrides(f.set ?? [], {
        strategies: f.strategies,
        strategyMinutes: f.strategyMinutes,
        name: f.name,
        runsDir: f.runsDir,
        dataset: f.dataset,
        data: dataFlags(f, f.dataset),
        seeds: f.seeds,
        randomGenotypes: f.random,
        jobs: f.jobs,
        'search.epochs': f.searchEpochs,
        'retrain.epochs': f.retrainEpochs,
        'evaluate.clipsPerVideo': f.clips,
        ...(f.batchSize !== undefined && { 'search.batchSize': f.batchSize, 'retrain.batchSize': f.batchSize }),
        ...(f.backend !== undefined && { 'search.backend': f.backend, 'retrain.backend': f.backend, 'evaluate.backend': f.backend }),
        ...(f.device !== undefined && { 'search.device': f.device, 'retrain.device': f.device, 'evaluate.device': f.device }),
      });
      if (f.seed !== undefined || f.workers !== undefined)
        throw new InvalidArgumentError('ablation: --seed and --workers are set per run; use --seeds (searches) or --set retrain.seed=N');
      if (f.dryRun) {
        const c = resolveAblationConfig({ config: f.config, overrides: o });
        const d = describeAblation(c);
        return printJson({
          name: d.name,
          dir: d.dirs.root,
          jobs: d.jobs,
          config: c,
          runs: d.plan.map((j) => j.id),
          search: d.search,
          retrain: d.retrain,
          evaluate: d.evaluate,
        });
      }
      const r = await runAblation({ config: f.config, overrides: o, log });
      printJson({ status: r.status, dir: r.dir, report: `${r.dir}/ablation.md` });
      if (r.status === 'stopped') process.exitCode = 130;
      else if (r.status === 'failed') process.exitCode = 1;
    },
  );

  cli
    .command('view')
    .description("the searched model in a browser: serves the viewer page and the run's exported model (read-only, 127.0.0.1 by default) and prints the URL")
    .argument('<run>', 'a finished retrain run (name under --runs-dir, or folder)')
    .option('--runs-dir <dir>', 'folder of run folders', 'runs')
    .option('--host <address>', 'address to listen on (127.0.0.1: this machine only)', '127.0.0.1')
    .addOption(new Option('--port <n>', 'port (0: any free one)').default(8080).argParser(intArg('--port')))
    .action(async (run: string, f: { runsDir: string; host: string; port: number }) => {
      const v = await runView({ run, runsDir: f.runsDir, host: f.host, port: f.port, log });
      log(`view: open ${v.url} (Ctrl-C to stop)`);
      printJson({ url: v.url });
      const stop = (): void => void v.server.close(() => process.exit(0));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
  cli
    .command('indicators')
    .description(
      "the training-free indicators (NTK condition number, linear regions) of an ablation's retrained genotypes at initialisation, and their rank correlation with the 30-view top-1",
    )
    .requiredOption('--ablation <dir>', 'an ablation folder (runs/ablation-...) whose retrainings have 30-view results')
    .addOption(new Option('--seeds <n>', 'initialisations per genotype (median condition number, mean regions)').default(3).argParser(intArg('--seeds', 1)))
    .action(async (f: { ablation: string; seeds: number }) => {
      const r = await runIndicators({ ablation: f.ablation, seeds: f.seeds, log });
      printJson({ indicators: `${r.ablation}/indicators.json`, report: `${r.ablation}/indicators.md`, spearman: r.spearman, n: r.rows.length });
    });
}

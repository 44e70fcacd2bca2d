/**
 * Issue 4's benchmark: time per one-level search step and per derived-network training step at a small and a
 * medium config, our tfjs backend vs the PyTorch peer (tools/bench/py/nas_steps_peer.py, Debian python3-torch)
 * in the same run, plus params/GFLOPs of the derived PV-NAS-L and -M for 8x224x224 next to the paper's.
 *
 *   nx run tools:bench-nas [-- --quick] [--threads N] [--rounds 3] [--small C,N,T,HW] [--medium C,N,T,HW]
 *   node tools/bench/bin/nas-steps.js --help
 *
 * Items, each built on both sides with the same shapes and an asserted equal weight count:
 *   search   one-level step (paper Alg. 1, libs/nas searchStep): Adam on the alphas (lr 1e-3, betas (0, 0.999)) from
 *            the training loss, then SGD on the weights (lr 0.1, momentum 0.9, wd 1e-4, global-norm clip 5); no
 *            recomputation (PyTorch keeps every activation too), dropout off.
 *   derived  a derived network (layout K=1, the PV-NAS-L layout, at the config's channels) of randomGenotype(seed),
 *            written to a temp genotype file the peer reads: forward, cross-entropy, backward, SGD (momentum 0.9,
 *            wd 1e-4); drop-path and dropout off.
 * Rounds: the peer is a long-lived process answering one request per line. Per item, round 0 runs two steps per side:
 * the first (cold: first allocations, oneDNN primitive creation) is reported, the second sets the steps per round
 * (enough for `--min-round-sec` on the slower side); neither is counted. Then `rounds` timed rounds, each running
 * those steps on one side then the other, the order alternating from round to round. The ratio is total tfjs time
 * over total PyTorch time of the timed rounds; the range is the per-round ratio's min-max. Each row also records how
 * many cores other processes kept busy meanwhile (machine busy minus both benchmark processes).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { Command, InvalidArgumentError, Option } from 'commander';
import * as tf from '@tensorflow/tfjs-core';
import { cores, measure } from '../src/measure';
import {
  defaultThreads,
  selectBackend,
  type BackendInfo,
  TorchBackend,
  networkCost,
  DerivedNetwork,
  defaultLayout,
  PRESETS,
  type PresetName,
  TRAIN,
  searchStep,
  Adam,
  Sgd,
  writeGenotype,
  type Genotype,
  randomGenotype,
  SearchNetwork,
  crossEntropy,
  CELL_TYPES,
  type CellType,
  type DeviceRequest,
} from '@pvnas/nas';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const PEER = path.join(ROOT, 'tools/bench/py/nas_steps_peer.py');
/** Other processes' average busy cores above which a row is marked as contended. */
const CONTENDED = 0.2;
/** The paper's PV-NAS-L (Tab. 4/5): 8x224x224 input. */
const PAPER_L = { params: 19.65e6, gflops: 22.14 };

type Kind = 'search' | 'derived';
type Side = 'tfjs' | 'torch';

interface BenchConfig {
  name: 'small' | 'medium';
  channels: number;
  batch: number;
  frames: number;
  size: number;
}

export interface NasStepsOptions {
  threads: number;
  rounds: number;
  /** Seconds of steps per side per timed round at least (the step count is set from round 0's second step). */
  minRoundSec: number;
  configs: BenchConfig[];
  classes: number;
  stemStride: number;
  gradClip: number;
  genotypeSeed: number;
  checkMacs: boolean;
  python: string;
  /** cpu, cuda, cuda:N: our torch backend's and the peer's device. */
  device: string;
  out: string;
  quick: boolean;
}

interface SidePass {
  round: number;
  /** ms of each step. */
  ms: number[];
  sec: number;
  otherCores: number;
  loss: number;
}

interface ItemResult {
  config: BenchConfig;
  kind: Kind;
  weights: number;
  /** Steps per side per timed round. */
  steps: number;
  passes: Record<Side, SidePass[]>;
  /** Timed rounds: mean ms per step, total tfjs / total PyTorch, per-round ratio range. */
  tfjsMs: number;
  torchMs: number;
  ratio: number;
  range: [number, number];
  coldMs: Record<Side, number>;
  otherCores: number;
  /** tf.memory().numTensors after each of our steps (flat when nothing leaks). */
  numTensors: number[];
  /** Host crossings per step of our backend in the timed rounds (torch backend only): reads, writes, CPU fallbacks. */
  hostPerStep?: { reads: number; writes: number; fallbacks: number };
}

interface CostRow {
  preset: PresetName;
  repeats: number;
  channels: number;
  stemStride: number;
  params: number;
  gflops: number;
  peer?: { params: number; gflops?: number };
}

// ---------------------------------------------------------------------------------------------------------------
// The PyTorch peer: one JSON request per line, one reply per line.

interface PeerReply {
  max_rss_mib: number;
  error?: string;
}
interface HelloReply extends PeerReply {
  torch: string;
  threads: number;
  device?: string;
}
interface BuildReply extends PeerReply {
  weights: number;
}
interface StepsReply extends PeerReply {
  ms: number[];
  cpu_sec: number;
  loss: number;
}
interface CountReply extends PeerReply {
  params: number;
  macs?: number;
}

class Peer {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiting: Array<{ resolve: (line: string) => void; reject: (e: Error) => void }> = [];
  private stderr = '';
  private exited?: string;

  constructor(python: string, threads: number) {
    const env = { ...process.env, OMP_NUM_THREADS: String(threads), MKL_NUM_THREADS: String(threads), PVNAS_THREADS: String(threads) };
    this.child = spawn(python, [PEER], { env, cwd: path.dirname(PEER) });
    this.child.stderr.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-4000);
    });
    readline.createInterface({ input: this.child.stdout }).on('line', (line) => this.waiting.shift()?.resolve(line));
    this.child.on('error', (e) => this.fail(`could not start ${python}: ${e.message}`));
    this.child.on('exit', (code, signal) => this.fail(`PyTorch peer exited (${signal ?? code}): ${this.stderr.trim().split('\n').slice(-5).join('\n')}`));
  }

  private fail(reason: string): void {
    this.exited = reason;
    for (const w of this.waiting.splice(0)) w.reject(new Error(reason));
  }

  request<T extends PeerReply>(req: Record<string, unknown>): Promise<T> {
    if (this.exited) return Promise.reject(new Error(this.exited));
    return new Promise<string>((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.child.stdin.write(JSON.stringify(req) + '\n');
    }).then((line) => JSON.parse(line) as T);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.exited) return resolve();
      this.child.once('exit', () => resolve());
      this.child.stdin.end();
    });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Our side of each item.

interface OurItem {
  weights: number;
  step(): number;
  dispose(): void;
}

const count = (vars: tf.Variable[]): number => vars.reduce((s, v) => s + v.size, 0);

function batchOf(c: BenchConfig, classes: number): { x: tf.Tensor5D; labels: tf.Tensor1D } {
  return {
    x: tf.randomNormal([c.batch, c.frames, c.size, c.size, 3], 0, 1, 'float32', 1) as tf.Tensor5D,
    labels: tf.tensor1d(
      Array.from({ length: c.batch }, (_, i) => i % classes),
      'int32',
    ),
  };
}

function buildOurs(kind: Kind, c: BenchConfig, genotype: Genotype, o: NasStepsOptions): OurItem {
  const { x, labels } = batchOf(c, o.classes);
  const weightOpt = new Sgd({ lr: 0.1, momentum: 0.9, weightDecay: 1e-4 });
  if (kind === 'search') {
    const net = new SearchNetwork({ channels: c.channels, classes: o.classes, stemStride: o.stemStride, dropout: 0, seed: 0 });
    const alphaOpt = new Adam({ lr: 1e-3, beta1: 0, beta2: 0.999, eps: 1e-8, weightDecay: 0 });
    return {
      weights: count(net.weights()),
      step: () => searchStep(net, x, labels, alphaOpt, weightOpt, { mode: 'alternating', recompute: false, gradClip: o.gradClip }).weightLoss,
      dispose: () => {
        net.dispose();
        alphaOpt.dispose();
        weightOpt.dispose();
        tf.dispose([x, labels]);
      },
    };
  }
  const net = new DerivedNetwork(genotype, {
    channels: c.channels,
    classes: o.classes,
    layout: defaultLayout(1),
    stemStride: o.stemStride,
    dropout: 0,
    seed: 0,
  });
  const vars = net.params.trainable();
  return {
    weights: count(vars),
    step: () => {
      const [value, ...grads] = tf.tidy(() => {
        // no drop-path argument: off, as dropout (timing)
        const r = tf.engine().gradients(() => crossEntropy(net.forward(x, TRAIN), labels), vars, undefined, true);
        return [r.value, ...r.grads.map((g, i) => g ?? tf.zerosLike(vars[i]))];
      });
      const loss = value.dataSync()[0];
      weightOpt.step(vars, grads);
      tf.dispose([value, ...grads]);
      return loss;
    },
    dispose: () => {
      net.dispose();
      weightOpt.dispose();
      tf.dispose([x, labels]);
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------

async function runItem(
  kind: Kind,
  c: BenchConfig,
  genotype: Genotype,
  genotypeFile: string,
  peer: Peer,
  o: NasStepsOptions,
  log: (s: string) => void,
): Promise<ItemResult> {
  const ours = buildOurs(kind, c, genotype, o);
  const built = await peer.request<BuildReply>({
    cmd: 'build',
    kind,
    channels: c.channels,
    classes: o.classes,
    stem_stride: o.stemStride,
    input: [c.batch, c.frames, c.size, c.size, 3],
    grad_clip: o.gradClip,
    genotype: genotypeFile,
    layout: defaultLayout(1),
  });
  if (built.weights !== ours.weights) throw new Error(`${kind} ${c.name}: ${ours.weights} weights here, ${built.weights} in the PyTorch peer`);
  const passes: Record<Side, SidePass[]> = { tfjs: [], torch: [] };
  const host = { reads: 0, writes: 0, fallbacks: 0 };
  const numTensors: number[] = [];
  const runSide = async (side: Side, round: number, steps: number): Promise<void> => {
    if (side === 'tfjs') {
      const ms: number[] = [];
      let loss = NaN;
      const before = hostCrossings();
      const { m } = await measure(async () => {
        for (let i = 0; i < steps; i++) {
          const t = performance.now();
          loss = ours.step();
          ms.push(performance.now() - t);
          numTensors.push(tf.memory().numTensors);
        }
      });
      const after = hostCrossings();
      if (round > 0 && before && after) for (const k of ['reads', 'writes', 'fallbacks'] as const) host[k] += after[k] - before[k];
      passes.tfjs.push({ round, ms, sec: m.sec, otherCores: Math.max(0, m.otherCores), loss });
    } else {
      const { value: r, m } = await measure(() => peer.request<StepsReply>({ cmd: 'steps', n: steps }));
      passes.torch.push({ round, ms: r.ms, sec: m.sec, otherCores: Math.max(0, m.machineCores - (m.cpuSec + r.cpu_sec) / m.sec), loss: r.loss });
    }
  };
  let steps = 2;
  for (let round = 0; round <= o.rounds; round++) {
    const order: Side[] = round % 2 === 0 ? ['tfjs', 'torch'] : ['torch', 'tfjs'];
    for (const side of order) await runSide(side, round, steps);
    const last = (s: Side) => passes[s][passes[s].length - 1];
    const mean = (p: SidePass) => p.ms.reduce((a, b) => a + b, 0) / p.ms.length;
    if (round === 0) {
      const warm = Math.max(last('tfjs').ms[1], last('torch').ms[1]);
      log(
        `  ${c.name} ${kind} round 0: cold step tfjs ${last('tfjs').ms[0].toFixed(0)} ms, PyTorch ${last('torch').ms[0].toFixed(0)} ms; second step ${last('tfjs').ms[1].toFixed(0)} / ${last('torch').ms[1].toFixed(0)} ms`,
      );
      steps = Math.min(50, Math.max(1, Math.ceil((o.minRoundSec * 1000) / warm)));
    } else {
      log(
        `  ${c.name} ${kind} round ${round}: ${steps} step(s) a side, tfjs ${mean(last('tfjs')).toFixed(0)} ms/step, PyTorch ${mean(last('torch')).toFixed(0)} ms/step (losses ${last('tfjs').loss.toFixed(3)} / ${last('torch').loss.toFixed(3)})`,
      );
    }
  }
  ours.dispose();
  await peer.request({ cmd: 'free' });

  const total = (s: Side) => passes[s].filter((p) => p.round > 0).flatMap((p) => p.ms);
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const [tf_, pt] = [total('tfjs'), total('torch')];
  const perRound = Array.from({ length: o.rounds }, (_, k) => {
    const r = k + 1;
    return sum(passes.tfjs.find((p) => p.round === r)!.ms) / sum(passes.torch.find((p) => p.round === r)!.ms);
  });
  const timed = [...passes.tfjs, ...passes.torch].filter((p) => p.round > 0);
  const cold = (s: Side) => passes[s][0].ms[0];
  return {
    config: c,
    kind,
    weights: ours.weights,
    steps,
    passes,
    tfjsMs: sum(tf_) / tf_.length,
    torchMs: sum(pt) / pt.length,
    ratio: sum(tf_) / sum(pt),
    range: [Math.min(...perRound), Math.max(...perRound)],
    coldMs: { tfjs: cold('tfjs'), torch: cold('torch') },
    otherCores: sum(timed.map((p) => p.otherCores * p.sec)) / sum(timed.map((p) => p.sec)),
    numTensors,
    hostPerStep: hostCrossings() ? { reads: host.reads / tf_.length, writes: host.writes / tf_.length, fallbacks: host.fallbacks / tf_.length } : undefined,
  };
}

function hostCrossings(): { reads: number; writes: number; fallbacks: number } | undefined {
  const b = tf.backend();
  if (!(b instanceof TorchBackend)) return undefined;
  return { reads: b.stats.hostReads, writes: b.stats.hostWrites, fallbacks: [...b.stats.fallbacks.values()].reduce((a, n) => a + n, 0) };
}

async function costs(genotype: Genotype, genotypeFile: string, peer: Peer, o: NasStepsOptions, log: (s: string) => void): Promise<CostRow[]> {
  const rows: CostRow[] = [];
  for (const preset of ['L', 'M'] as const) {
    const { repeats, channels } = PRESETS[preset];
    for (const stemStride of [2, 4]) {
      const layout = defaultLayout(repeats);
      const c = networkCost(genotype, { channels, classes: 400, layout, stemStride, frames: 8, size: 224 });
      const row: CostRow = { preset, repeats, channels, stemStride, params: c.params, gflops: c.macs / 1e9 };
      // the peer builds the network and counts its parameters, and its MACs by running one view through it (~40 s in all)
      const macs = o.checkMacs;
      log(`  PyTorch peer: ${preset} stem stride ${stemStride}${macs ? ', counting MACs with a forward pass' : ''} ...`);
      const r = await peer.request<CountReply>({
        cmd: 'count',
        genotype: genotypeFile,
        layout,
        channels,
        classes: 400,
        stem_stride: stemStride,
        frames: 8,
        size: 224,
        macs,
      });
      row.peer = { params: r.params, gflops: r.macs === undefined ? undefined : r.macs / 1e9 };
      rows.push(row);
    }
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------------------------
// Output.

const f1 = (v: number) => v.toFixed(1);
const shape = (c: BenchConfig) => `C=${c.channels}, ${c.batch}x${c.frames}x${c.size}x${c.size}`;

function genotypeLines(g: Genotype): string[] {
  const short: Record<string, string> = {
    skip_connect: 'skip',
    avg_pool_1x3x3: 'avg',
    max_pool_1x3x3: 'max',
    sep_conv_1x3x3: 'sep',
    dil_conv_1x3x3: 'dil',
    'temporal_conv_3+3x3': 't3+3x3',
    'temporal_conv_3+1x1': 't3+1x1',
  };
  return CELL_TYPES.map((t: CellType) => `${t.padEnd(16)} ${g.cells[t].edges.map(([op, i]) => `${short[op] ?? op}(${i})`).join(' ')}`);
}

function formatSteps(items: ItemResult[], info: BackendInfo, torchVersion: string, o: NasStepsOptions): string {
  const lines = [
    `| config | step | weights | steps x rounds | tfjs ms/step | PyTorch ms/step | tfjs/PyTorch (per-round min-max) | cold ms tfjs / PyTorch | other cores |`,
    `| --- | --- | --- | --- | --- | --- | --- | --- | --- |`,
  ];
  for (const r of items) {
    const what = r.kind === 'search' ? 'search (alpha Adam + weight SGD)' : 'derived K=1 (fwd, CE, bwd, SGD)';
    lines.push(
      `| ${r.config.name} (${shape(r.config)}) | ${what} | ${(r.weights / 1e6).toFixed(3)} M | ${r.steps} x ${o.rounds} | ${f1(r.tfjsMs)} | ${f1(r.torchMs)} | ` +
        `${r.ratio.toFixed(2)}x (${r.range[0].toFixed(2)}-${r.range[1].toFixed(2)}) | ${r.coldMs.tfjs.toFixed(0)} / ${r.coldMs.torch.toFixed(0)} | ${r.otherCores.toFixed(2)}${r.otherCores > CONTENDED ? ' (contended)' : ''} |`,
    );
  }
  lines.push(
    '',
    `tfjs ${info.name} (${Object.entries(info.versions)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}) vs PyTorch ${torchVersion}, ${o.threads} thread(s) each; ` +
      `stem stride ${o.stemStride}, ${o.classes} classes; ${o.rounds} timed rounds (>= ${o.minRoundSec} s a side) after round 0 (cold step + calibration); equal weight counts asserted`,
  );
  if (items.every((r) => r.hostPerStep !== undefined))
    lines.push(
      `host crossings per tfjs step (reads / writes / CPU fallbacks): ${items.map((r) => `${r.config.name} ${r.kind} ${r.hostPerStep!.reads} / ${r.hostPerStep!.writes} / ${r.hostPerStep!.fallbacks}`).join(', ')}`,
    );
  if (items.some((r) => r.otherCores > CONTENDED))
    lines.push(
      `(contended): other processes kept more than ${CONTENDED} core busy on average; both sides run ${o.threads} spinning OpenMP threads, so such rows measure the contention more than the code`,
    );
  return lines.join('\n');
}

function formatCosts(rows: CostRow[]): string {
  const lines = [
    `| network (8x224x224, 400 classes) | stem stride | params (M) | GFLOPs (GMACs) | PyTorch peer params (M) / GFLOPs |`,
    `| --- | --- | --- | --- | --- |`,
    `| paper PV-NAS-L (its genotype) | - | ${(PAPER_L.params / 1e6).toFixed(2)} | ${PAPER_L.gflops.toFixed(2)} | |`,
  ];
  for (const r of rows) {
    const peer = r.peer
      ? `${(r.peer.params / 1e6).toFixed(2)}${r.peer.params === r.params ? ' (=)' : ' (DIFFERS)'} / ${r.peer.gflops === undefined ? '-' : `${r.peer.gflops.toFixed(2)}${Math.abs(r.peer.gflops - r.gflops) < 1e-9 ? ' (=)' : ' (DIFFERS)'}`}`
      : '-';
    lines.push(
      `| ours PV-NAS-${r.preset} (K=${r.repeats}, C=${r.channels}) | ${r.stemStride} | ${(r.params / 1e6).toFixed(2)} | ${r.gflops.toFixed(2)} | ${peer} |`,
    );
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------------------------

function positiveInt(v: string): number {
  if (!/^\d+$/.test(v.trim()) || Number(v) < 1) throw new InvalidArgumentError('expected a positive whole number');
  return Number(v);
}

function configArg(v: string): number[] {
  const xs = v.split(',').map(Number);
  if (xs.length !== 4 || xs.some((x) => !Number.isInteger(x) || x < 1)) throw new InvalidArgumentError('expected C,N,T,HW (channels, batch, frames, size)');
  return xs;
}

function seconds(v: string): number {
  const x = Number(v);
  if (!Number.isFinite(x) || x < 0) throw new InvalidArgumentError('expected seconds >= 0');
  return x;
}

export function parseOptions(argv: readonly string[]): NasStepsOptions {
  const cmd = new Command('bench-nas')
    .description('search step and derived-network step, tfjs vs the PyTorch peer, at a small and a medium config; L/M params and GFLOPs')
    .option('--quick', 'smoke run: tiny configs, one timed round, no MAC cross-check (< 1 min on a quiet machine)')
    .option('--threads <n>', 'threads of both sides (PVNAS_THREADS, torch.set_num_threads)', positiveInt, defaultThreads())
    .option('--rounds <n>', 'timed rounds after round 0 (default 3, quick 1)', positiveInt)
    .option('--small <C,N,T,HW>', 'small config: channels, batch, frames, size (default 8,4,8,56; quick 4,2,4,32)', configArg)
    .option('--medium <C,N,T,HW>', 'medium config (default 16,2,8,112; quick 8,2,8,56)', configArg)
    .option('--min-round-sec <s>', 'seconds of steps per side per timed round at least (default 3, quick 0.3)', seconds)
    .option('--classes <n>', 'classes', positiveInt, 400)
    .option('--stem-stride <n>', 'stem stride of the timed networks', positiveInt, 2)
    .option('--grad-clip <x>', 'global-norm clip of the search step', Number, 5)
    .option('--genotype-seed <n>', 'randomGenotype seed of the derived network', Number, 1)
    .option('--no-check-macs', "skip the PyTorch peer's forward-hook MAC count")
    .addOption(new Option('--python <path>', 'python with torch').env('PVNAS_BENCH_PYTHON').default('/usr/bin/python3'))
    .option('--device <device>', 'where both sides compute: cpu or cuda[:N] (the peer uses the same device)', 'cpu')
    .option('--out <dir>', 'folder of the JSON report', path.join(ROOT, 'data', 'bench'))
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  cmd.parse(argv as string[]);
  const a = cmd.opts<{
    quick?: boolean;
    threads: number;
    rounds?: number;
    small?: number[];
    medium?: number[];
    minRoundSec?: number;
    classes: number;
    stemStride: number;
    gradClip: number;
    genotypeSeed: number;
    checkMacs: boolean;
    python: string;
    device: string;
    out: string;
  }>();
  const quick = !!a.quick;
  const small = a.small ?? (quick ? [4, 2, 4, 32] : [8, 4, 8, 56]);
  // batch 8 at 112 needs > 22 GB on the tfjs side without recomputation (the supernet keeps every activation)
  const medium = a.medium ?? (quick ? [8, 2, 8, 56] : [16, 2, 8, 112]);
  const config = (name: BenchConfig['name'], [channels, batch, frames, size]: number[]): BenchConfig => ({ name, channels, batch, frames, size });
  return {
    threads: a.threads,
    rounds: a.rounds ?? (quick ? 1 : 3),
    minRoundSec: a.minRoundSec ?? (quick ? 0.3 : 3),
    configs: [config('small', small), config('medium', medium)],
    classes: a.classes,
    stemStride: a.stemStride,
    gradClip: a.gradClip,
    genotypeSeed: a.genotypeSeed,
    checkMacs: a.checkMacs && !quick,
    python: a.python,
    device: a.device,
    out: a.out,
    quick,
  };
}

export async function main(argv: readonly string[]): Promise<number> {
  let o: NasStepsOptions;
  try {
    o = parseOptions(argv);
  } catch (e) {
    const code = (e as { exitCode?: number }).exitCode;
    return code === undefined ? 2 : code;
  }
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const started = new Date();
  const load1AtStart = os.loadavg()[0];
  // the same thread count on both sides: our libtorch (PVNAS_THREADS) and the peer's (torch.set_num_threads)
  process.env.PVNAS_THREADS = String(o.threads);
  const info = await selectBackend({ backend: o.device === 'cpu' ? 'auto' : 'torch', device: o.device as DeviceRequest, threads: o.threads, log: null });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pvnas-bench-nas-'));
  const peer = new Peer(o.python, o.threads);
  try {
    const genotype = randomGenotype(o.genotypeSeed);
    const genotypeFile = path.join(tmp, 'genotype.json');
    writeGenotype(genotypeFile, genotype);
    const hello = await peer.request<HelloReply>({ cmd: 'hello', threads: o.threads, device: o.device });
    if (hello.threads !== info.threads) throw new Error(`threads: tfjs ${info.threads}, PyTorch ${hello.threads}`);
    log(
      `bench-nas: tfjs ${info.name} on ${info.device} vs PyTorch ${hello.torch} on ${hello.device ?? 'cpu'}, ${o.threads} thread(s) each, ${cores()} cores, load ${load1AtStart.toFixed(2)}`,
    );

    const items: ItemResult[] = [];
    for (const c of o.configs) for (const kind of ['search', 'derived'] as const) items.push(await runItem(kind, c, genotype, genotypeFile, peer, o, log));
    log('costs of the derived L and M networks, 8x224x224 ...');
    const costRows = await costs(genotype, genotypeFile, peer, o, log);
    const rss = await peer.request<PeerReply>({ cmd: 'free' });

    const elapsedSec = (Date.now() - started.getTime()) / 1000;
    const load1AtEnd = os.loadavg()[0];
    const leaks = items.filter((r) => r.numTensors.slice(1).some((n) => n !== r.numTensors[1]));
    console.log(
      `\n## Step times (${started.toISOString().slice(0, 16).replace('T', ' ')} UTC, load ${load1AtStart.toFixed(2)} at start, ${load1AtEnd.toFixed(2)} at end, ${elapsedSec.toFixed(0)} s)\n`,
    );
    console.log(formatSteps(items, info, hello.torch, o));
    console.log(`\n## Derived networks, randomGenotype(${o.genotypeSeed}) (closed form, libs/nas/src/derived/cost.ts)\n`);
    console.log(formatCosts(costRows));
    console.log(
      `\ngenotype (op(input state)):\n${genotypeLines(genotype)
        .map((l) => `  ${l}`)
        .join('\n')}`,
    );
    const tfjsRss = Number(/VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) / 1024;
    console.log(`peak RSS: tfjs process ${tfjsRss.toFixed(0)} MiB, PyTorch process ${rss.max_rss_mib.toFixed(0)} MiB`);
    if (leaks.length) console.log(`WARNING: tensor count not flat over steps in ${leaks.map((r) => `${r.config.name} ${r.kind}`).join(', ')}`);

    fs.mkdirSync(o.out, { recursive: true });
    const out = path.join(o.out, `nas-steps-${started.toISOString().slice(0, 19).replace(/:/g, '')}.json`);
    const report = {
      format: 'pvnas-bench-nas/1',
      startedAt: started.toISOString(),
      elapsedSec,
      command: ['node', ...argv.slice(1)].join(' '),
      options: o,
      machine: { cores: cores(), cpu: os.cpus()[0]?.model ?? '', load1AtStart, load1AtEnd, node: process.version },
      backend: info,
      torch: hello.torch,
      genotype,
      items,
      costs: costRows,
      paper: PAPER_L,
      peakRssMiB: { tfjs: tfjsRss, torch: rss.max_rss_mib },
    };
    fs.writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
    console.log(`report: ${path.relative(ROOT, out)}`);
    return leaks.length ? 1 : 0;
  } finally {
    await peer.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

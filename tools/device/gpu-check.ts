/**
 * The GPU check (tools/device/gpu-check.sh runs this, bundled by prepare.sh, with the Node it brings): on a CUDA
 * device it checks
 *   1. the op gradient cases (libs/nas/src/backend/testing/gradient-cases.ts) against the float64 reference;
 *   2. the stock kernels against tfjs's cpu backend, on the same inputs;
 *   3. the device discipline of a search step and a retraining step: one host read, no host copy, no CPU fallback;
 *   4. a derived step with convolutions in channels-last and in contiguous NCHW (the memory format, measured);
 *   5. c10d on the device: a process group of one rank (NCCL when the build has it, else Gloo) all-reduces and
 *      broadcasts device tensors, and a data-parallel search step runs through it;
 *   6. then times a search step and a derived-network step against the PyTorch peers on the same GPU
 *      (tools/bench/nas/nas-steps.ts --device), printing ratios.
 * Prints a JSON summary last; exits 1 when a check fails. `--device cpu` runs it all on the CPU (how it is tried
 * without a GPU), `--skip-timing` leaves out part 6.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import {
  allReduceMean,
  allReduceSum,
  broadcastFrom,
  initProcessGroup,
  processGroup,
  defaultLayout,
  randomGenotype,
  RetrainTrainer,
  retrainOptimSchema,
  SearchTrainer,
  searchOptimSchema,
  selectBackend,
  TorchBackend,
  type StepAt,
  type StepOutcome,
} from '@pvnas/nas';
import { gradientCases } from '@pvnas/nas/testing';
import { main as benchSteps } from '../bench/nas/nas-steps';

interface Outcome {
  name: string;
  ok: boolean;
  detail: string;
}

const results: Outcome[] = [];
const log = (s: string) => process.stderr.write(s + '\n');

function record(name: string, ok: boolean, detail: string): void {
  results.push({ name, ok, detail });
  log(`${ok ? 'ok  ' : 'FAIL'} ${name}: ${detail}`);
}

function gradients(): void {
  for (const c of gradientCases()) {
    try {
      const r = c.check();
      const ok = r.forwardError < c.tol.forward && r.gradErrors.every((e) => e < c.tol.grad);
      record(`gradient ${c.name}`, ok, `forward ${r.forwardError.toExponential(1)}, gradients ${r.gradErrors.map((e) => e.toExponential(1)).join(' ')}`);
    } catch (e) {
      record(`gradient ${c.name}`, false, (e as Error).message);
    }
  }
}

/** Stock kernels on the device vs tfjs's cpu backend. */
async function stockKernels(device: string): Promise<void> {
  const r = (shape: number[], seed: number) => tf.randomUniform(shape, -2, 2, 'float32', seed);
  const cases: Array<[string, () => tf.Tensor[]]> = [
    [
      'binary with broadcasting',
      () => [tf.add(r([2, 3, 4], 1), r([4], 2)), tf.mul(r([2, 3], 5), tf.scalar(3)), tf.squaredDifference(r([2, 5], 6), r([2, 1], 7))],
    ],
    ['unary', () => [tf.relu(r([9], 1)), tf.exp(r([9], 2)), tf.sigmoid(r([9], 3)), tf.step(r([9], 4))]],
    ['reductions', () => [tf.sum(r([2, 3, 4, 5], 2), [1, 3]), tf.mean(r([2, 3, 4], 3), 2, true), tf.max(r([3, 4], 4), 1), tf.argMax(r([4, 5], 5), 1)]],
    [
      'layout',
      () => [
        tf.transpose(r([2, 3, 4], 1), [2, 0, 1]),
        tf.slice(r([2, 3, 4], 2), [1, 0, 2], [1, -1, 2]),
        tf.concat([r([2, 3], 3), r([2, 2], 4)], 1),
        tf.stack([r([3], 5), r([3], 6)], 1),
      ],
    ],
    [
      'matMul, softmax, oneHot, where',
      () => [
        tf.matMul(r([2, 3, 4], 5), r([1, 4, 2], 6)),
        tf.softmax(r([3, 7], 1)),
        tf.oneHot(tf.tensor1d([0, 2, 5], 'int32'), 4),
        tf.where(tf.greater(r([2, 3], 2), 0), r([2, 3], 3), r([2, 3], 4)),
      ],
    ],
  ];
  for (const [name, f] of cases) {
    const run = async (backend: 'cpu' | 'torch') => {
      await selectBackend({ backend, device: device as never, log: null });
      return tf.tidy(() => f().map((t) => Array.from(t.dataSync() as ArrayLike<number>)));
    };
    const cpu = await run('cpu');
    const dev = await run('torch');
    let worst = 0;
    cpu.forEach((row, i) => row.forEach((v, k) => (worst = Math.max(worst, Math.abs(v - dev[i][k]) / Math.max(1, Math.abs(v))))));
    record(`kernels ${name}`, worst <= 1e-5, `worst relative difference to the cpu backend ${worst.toExponential(1)}`);
  }
  await selectBackend({ backend: 'torch', device: device as never, log: null });
}

function discipline(): void {
  const b = tf.backend() as TorchBackend;
  const count = (step: (x: tf.Tensor5D, y: tf.Tensor1D, at: StepAt) => StepOutcome) => {
    const x = tf.randomNormal([2, 4, 12, 12, 3], 0, 1, 'float32', 1) as tf.Tensor5D;
    const y = tf.tensor1d([0, 3], 'int32');
    step(x, y, { epoch: 1, step: 0, epochFraction: 1 }); // first step: cuDNN benchmark, allocator warm-up
    b.resetStats();
    step(x, y, { epoch: 1, step: 1, epochFraction: 1 });
    const s = { reads: b.stats.hostReads, writes: b.stats.hostWrites, fallbacks: [...b.stats.fallbacks.values()].reduce((a, n) => a + n, 0) };
    tf.dispose([x, y]);
    return s;
  };
  const search = new SearchTrainer(
    { channels: 2, classes: 4, stemStride: 2, dropout: 0.2, seed: 3 },
    searchOptimSchema.parse({ weightLr: { kind: 'step', initial: 0.05, stepEpochs: 1 }, gradClip: 5 }),
    2,
  );
  const s = count((x, y, at) => search.step(x, y, at));
  search.dispose();
  record(
    'discipline search step',
    s.reads === 1 && s.writes === 0 && s.fallbacks === 0,
    `host reads ${s.reads}, host copies ${s.writes}, CPU fallbacks ${s.fallbacks}`,
  );
  const retrain = new RetrainTrainer(
    randomGenotype(4),
    { channels: 4, classes: 4, layout: defaultLayout(1), stemStride: 2, dropout: 0.1, seed: 5 },
    retrainOptimSchema.parse({ lr: { kind: 'cosine', initial: 0.05, minimum: 0, warmupEpochs: 0 }, dropPath: 0.2, gradClip: 5 }),
    6,
  );
  const d = count((x, y, at) => retrain.step(x, y, at));
  retrain.dispose();
  record(
    'discipline derived step',
    d.reads === 1 && d.writes === 0 && d.fallbacks === 0,
    `host reads ${d.reads}, host copies ${d.writes}, CPU fallbacks ${d.fallbacks}`,
  );
}

/** A derived-network training step in each convolution memory format (channels-last vs contiguous NCHW), timed. */
function convFormats(device: string): void {
  const b = tf.backend() as TorchBackend;
  const [C, N, S] = device === 'cpu' ? [8, 2, 56] : [32, 8, 112];
  const t = new RetrainTrainer(
    randomGenotype(1),
    { channels: C, classes: 400, layout: defaultLayout(1), stemStride: 2, dropout: 0, seed: 5 },
    retrainOptimSchema.parse({ lr: { kind: 'constant', initial: 0.01 }, dropPath: 0 }),
    6,
  );
  const x = tf.randomNormal([N, 8, S, S, 3], 0, 1, 'float32', 1) as tf.Tensor5D;
  const y = tf.tensor1d(
    Array.from({ length: N }, (_, i) => i),
    'int32',
  );
  const ms: Record<string, number> = {};
  for (const format of ['channels-last', 'nchw', 'channels-last'] as const) {
    b.native.convFormat(format);
    for (let i = 0; i < 2; i++) t.step(x, y, { epoch: 0, step: i, epochFraction: 0 }); // cuDNN benchmark, warm-up
    const t0 = performance.now();
    const steps = 5;
    for (let i = 0; i < steps; i++) t.step(x, y, { epoch: 0, step: i, epochFraction: 0 });
    ms[format] = (performance.now() - t0) / steps;
  }
  b.native.convFormat('channels-last');
  tf.dispose([x, y]);
  t.dispose();
  const ratio = ms.nchw / ms['channels-last'];
  record(
    'conv memory format',
    true,
    `derived step C=${C}, ${N}x8x${S}x${S}: channels-last ${ms['channels-last'].toFixed(1)} ms, contiguous NCHW ${ms.nchw.toFixed(1)} ms (nchw/channels-last ${ratio.toFixed(2)}x)`,
  );
}

/** c10d on the device: one rank (a file rendezvous), its collectives on device tensors, a data-parallel search step. */
function collectives(): void {
  const native = (tf.backend() as TorchBackend).native;
  const info = native.distInfo();
  if (info.backends.length === 0) return record('c10d', false, 'the addon was built without c10d collectives (no Gloo or NCCL headers)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pvnas-gpu-check-'));
  try {
    initProcessGroup({ rank: 0, worldSize: 1, storeFile: path.join(dir, 'store'), timeoutMs: 60_000 });
    const x = tf.tensor2d([
      [1, -2],
      [3, 4.5],
    ]);
    const [mean, sum, root] = [...allReduceMean([x]), ...allReduceSum([x]), ...broadcastFrom([x])];
    const same = [mean, sum, root].every((t) => tf.max(tf.abs(tf.sub(t, x))).dataSync()[0] === 0);
    tf.dispose([x, mean, sum, root]);
    const trainer = new SearchTrainer({ channels: 4, classes: 3, stemStride: 2, dropout: 0, seed: 1 }, searchOptimSchema.parse({ recompute: false }), 1);
    trainer.syncReplicas();
    const batch = tf.randomNormal([2, 4, 16, 16, 3], 0, 1, 'float32', 3) as tf.Tensor5D;
    const labels = tf.tensor1d([0, 2], 'int32');
    const out = trainer.step(batch, labels, { epoch: 0, step: 0, epochFraction: 0 });
    tf.dispose([batch, labels]);
    trainer.dispose();
    record(
      'c10d collectives',
      same && Number.isFinite(out.loss),
      `backends built: ${info.backends.join(', ')}; group of 1 on ${native.device()} with ${processGroup().backend}: all-reduce and broadcast ${same ? 'exact' : 'WRONG'}; a search step through it: loss ${out.loss.toFixed(4)}`,
    );
  } catch (e) {
    record('c10d collectives', false, (e as Error).message);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function main(argv: readonly string[]): Promise<number> {
  const at = argv.indexOf('--device');
  const device = at >= 0 ? argv[at + 1] : 'cuda';
  const t0 = performance.now();
  const info = await selectBackend({ backend: 'torch', device: device as never, log });
  const native = (tf.backend() as TorchBackend).native;
  log(`gpu-check: ${JSON.stringify(native.version())}`.replace(/"config":"[^"]*",/, ''));
  gradients();
  await stockKernels(device);
  discipline();
  convFormats(device);
  collectives();
  if (!argv.includes('--skip-timing')) {
    const python = process.env.PVNAS_PYTHON || 'python3';
    const threads = String(Math.min(8, Math.max(1, (await import('node:os')).availableParallelism())));
    const code = await benchSteps([
      'node',
      'nas-steps',
      '--device',
      device,
      '--python',
      python,
      '--threads',
      threads,
      '--no-check-macs',
      '--rounds',
      '2',
      '--min-round-sec',
      '1',
      '--out',
      '/tmp/pvnas-gpu-check',
    ]);
    record('timing vs PyTorch', code === 0, code === 0 ? 'see the Step times table above' : `nas-steps exited ${code}`);
  }
  const failed = results.filter((r) => !r.ok);
  const summary = {
    device: info.device,
    libtorch: info.versions.libtorch,
    checks: results.length,
    failed: failed.map((r) => `${r.name}: ${r.detail}`),
    seconds: Math.round((performance.now() - t0) / 1000),
  };
  process.stdout.write(JSON.stringify(summary) + '\n');
  return failed.length ? 1 : 0;
}

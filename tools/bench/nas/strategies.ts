/**
 * `nx run tools:bench-strategies`: the memory and step time of the supernet strategies at the same channels, on the
 * running backend: darts as the paper runs it (every op of every edge; recomputation off, and on: our default), and
 * sampling (one Gumbel-drawn path a step; recomputation off and on). Memory is the peak of live tensor bytes during one step (tf.profile), past
 * the weights and optimiser state; time the median of the timed steps. Then the widest network each can search within
 * the memory darts needs at `--budget-channels` (without and with recomputation). darts without recomputation needs
 * ~6.5 GB at C=8 on 2x8x112x112 clips: keep its channels small on a small machine.
 *
 *   node tools/bench/bin/strategies.js [--channels 8,16,32] [--wide 48,64] [--budget-channels 16] [--batch 2]
 *     [--frames 8] [--size 112] [--steps 2] [--backend auto]
 */
import { Command } from 'commander';
import * as tf from '@tensorflow/tfjs-core';
import { Adam, searchStep, samplingStep, SearchNetwork, selectBackend, Sgd, type BackendRequest } from '@pvnas/nas';

interface Options {
  channels: number[];
  wide: number[];
  budgetChannels: number;
  batch: number;
  frames: number;
  size: number;
  steps: number;
  backend: BackendRequest;
}

type Method = 'darts' | 'darts, recomputed' | 'sampling' | 'sampling, recomputed';
const METHODS: Method[] = ['darts', 'darts, recomputed', 'sampling', 'sampling, recomputed'];

interface Measured {
  peakMiB: number;
  stepMs: number;
}

async function measure(method: Method, channels: number, o: Options): Promise<Measured> {
  const net = new SearchNetwork({ channels, classes: 400, stemStride: 2, dropout: 0, seed: 0 });
  const x = tf.randomNormal([o.batch, o.frames, o.size, o.size, 3], 0, 1, 'float32', 1) as tf.Tensor5D;
  const y = tf.tensor1d(
    Array.from({ length: o.batch }, (_, i) => i),
    'int32',
  );
  const alphaOpt = new Adam({ lr: 1e-3, beta1: 0, beta2: 0.999, eps: 1e-8, weightDecay: 0 });
  const weightOpt = new Sgd({ lr: 0.1, momentum: 0.9, weightDecay: 1e-4 });
  const step = (k: number): void => {
    if (method.startsWith('sampling')) samplingStep(net, x, y, alphaOpt, weightOpt, { tau: 5, pathSeed: k, recompute: method === 'sampling, recomputed' });
    else searchStep(net, x, y, alphaOpt, weightOpt, { mode: 'alternating', recompute: method === 'darts, recomputed' });
  };
  step(0); // optimiser state allocated, kernels warm
  const base = tf.memory().numBytes;
  const info = await tf.profile(() => step(1));
  const times: number[] = [];
  for (let k = 0; k < o.steps; k++) {
    const t = performance.now();
    step(2 + k);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  alphaOpt.dispose();
  weightOpt.dispose();
  net.dispose();
  tf.dispose([x, y]);
  return { peakMiB: (info.peakBytes - base) / 2 ** 20, stepMs: times[Math.floor(times.length / 2)] };
}

export async function main(argv: string[]): Promise<number> {
  const list = (v: string): number[] => v.split(',').map(Number);
  const o = new Command()
    .option('--channels <list>', 'channels every method runs at', list, [8, 16])
    .option('--wide <list>', 'wider channels only sampling runs at', list, [32, 64])
    .option('--budget-channels <n>', "darts' memory at these channels is the budget", Number, 16)
    .option('--batch <n>', 'clips per batch', Number, 2)
    .option('--frames <n>', 'frames per clip', Number, 8)
    .option('--size <n>', 'crop size', Number, 112)
    .option('--steps <n>', 'timed steps per point', Number, 2)
    .option('--backend <name>', 'auto, torch, wasm, cpu', 'auto')
    .parse(argv)
    .opts<Options>();
  const backend = await selectBackend({ backend: o.backend });
  console.log(`bench-strategies: backend ${backend.name}; batch [${o.batch}, ${o.frames}, ${o.size}, ${o.size}, 3], stem stride 2, 400 classes`);
  const rows: Array<{ channels: number; method: Method } & Measured> = [];
  for (const channels of [...o.channels, ...o.wide]) {
    for (const method of METHODS) {
      if (!o.channels.includes(channels) && !method.startsWith('sampling')) continue;
      const m = await measure(method, channels, o);
      rows.push({ channels, method, ...m });
      console.log(`  C=${channels} ${method.padEnd(18)} peak ${m.peakMiB.toFixed(0).padStart(6)} MiB  step ${m.stepMs.toFixed(0).padStart(7)} ms`);
    }
  }
  const at = (c: number, m: Method) => rows.find((r) => r.channels === c && r.method === m);
  console.log(
    '\n| C | darts peak MiB | darts step | darts recomputed: peak / step (x darts) | sampling: peak / step (x darts) | sampling recomputed: peak / step (x darts) |',
  );
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const c of o.channels) {
    const d = at(c, 'darts') as Measured;
    const r = at(c, 'darts, recomputed') as Measured;
    const s = at(c, 'sampling') as Measured;
    const sr = at(c, 'sampling, recomputed') as Measured;
    const x = (m: Measured) => `${(m.peakMiB / d.peakMiB).toFixed(2)}x / ${(m.stepMs / d.stepMs).toFixed(2)}x`;
    console.log(`| ${c} | ${d.peakMiB.toFixed(0)} | ${d.stepMs.toFixed(0)} ms | ${x(r)} | ${x(s)} | ${x(sr)} |`);
  }
  for (const ref of ['darts', 'darts, recomputed'] as const) {
    const budget = at(o.budgetChannels, ref);
    if (!budget) continue;
    const widest = (m: Method) => Math.max(0, ...rows.filter((r) => r.method === m && r.peakMiB <= budget.peakMiB).map((r) => r.channels));
    console.log(
      `within ${ref}'s peak at C=${o.budgetChannels} (${budget.peakMiB.toFixed(0)} MiB), the widest measured: ${METHODS.map((m) => `${m} C=${widest(m)}`).join(', ')}`,
    );
  }
  return 0;
}

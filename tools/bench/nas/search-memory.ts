/**
 * Issue 3 part 4: full one-level search steps (alpha step + weight step) of the 4-cell search network at
 * 16 initial channels, batch 8, input 8x112x112, on the CPU path; logs tf.memory().numTensors and RSS per
 * step and fails if the tensor count is not flat.
 *
 *   npx tsx tools/bench/nas/search-memory.ts [--steps 50] [--channels 16] [--batch 8] [--frames 8] [--size 112] [--no-recompute] [--backend auto]
 */
import * as fs from 'node:fs';
import { Command } from 'commander';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend, type BackendRequest, SearchNetwork, Adam, Sgd, searchStep } from '@pvnas/nas';

const status = (key: string): number => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) / 1024;

async function main(): Promise<void> {
  const o = new Command()
    .option('--steps <n>', 'search steps', Number, 50)
    .option('--channels <n>', 'initial channels', Number, 16)
    .option('--batch <n>', 'clips per batch', Number, 8)
    .option('--frames <n>', 'frames per clip', Number, 8)
    .option('--size <n>', 'crop size', Number, 112)
    .option('--classes <n>', 'classes', Number, 400)
    .option('--no-recompute', 'keep every activation (tfjs default) instead of recomputing per block')
    .option('--backend <name>', 'auto, torch, wasm, cpu', 'auto')
    .parse()
    .opts<{ steps: number; channels: number; batch: number; frames: number; size: number; classes: number; recompute: boolean; backend: BackendRequest }>();
  const info = await selectBackend({ backend: o.backend });
  const net = new SearchNetwork({ channels: o.channels, classes: o.classes, stemStride: 2, dropout: 0, seed: 0 });
  const weights = net.weights().reduce((s, v) => s + v.size, 0);
  console.log(
    `search network C=${o.channels}: ${weights} weights; batch [${o.batch}, ${o.frames}, ${o.size}, ${o.size}, 3]; recomputation ${o.recompute ? 'on' : 'off'}; backend ${info.name}`,
  );
  const alphaOpt = new Adam({ lr: 1e-3, beta1: 0, beta2: 0.999, eps: 1e-8, weightDecay: 0 });
  const weightOpt = new Sgd({ lr: 0.1, momentum: 0.9, weightDecay: 1e-4 });
  const x = tf.randomNormal([o.batch, o.frames, o.size, o.size, 3], 0, 1, 'float32', 1) as tf.Tensor5D;
  const labels = tf.tensor1d(
    Array.from({ length: o.batch }, (_, i) => i % o.classes),
    'int32',
  );
  const counts: number[] = [];
  for (let step = 0; step < o.steps; step++) {
    const t = performance.now();
    const r = searchStep(net, x, labels, alphaOpt, weightOpt, { mode: 'alternating', recompute: o.recompute, gradClip: 5 });
    // with node --expose-gc, a full collection after each step separates live memory from garbage awaiting V8's GC
    (globalThis as { gc?: () => void }).gc?.();
    counts.push(tf.memory().numTensors);
    console.log(
      `step ${String(step + 1).padStart(3)}  ${((performance.now() - t) / 1000).toFixed(1)} s  loss ${r.weightLoss.toFixed(4)}  numTensors ${counts[step]}  rss ${status('VmRSS').toFixed(0)} MiB  peak ${status('VmHWM').toFixed(0)} MiB`,
    );
  }
  const flat = counts.slice(1).every((c) => c === counts[1]);
  console.log(
    `numTensors ${flat ? 'flat' : 'NOT flat'} over steps 2..${o.steps} (${counts[1]} -> ${counts[counts.length - 1]}); peak RSS ${status('VmHWM').toFixed(0)} MiB`,
  );
  if (!flat) process.exit(1);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});

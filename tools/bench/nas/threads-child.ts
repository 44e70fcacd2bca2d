/**
 * One measurement of `nx run tools:bench-threads` (threads.ts), in its own process because OpenMP reads its wait
 * policy when libtorch loads: the default sample search step (tools/bench/nas/threads.ts says which), `steps`
 * timed steps after one warm-up, printed as one JSON line {"msPerStep": [...]}.
 */
import * as tf from '@tensorflow/tfjs-core';
import { SearchTrainer, searchOptimSchema, selectBackend } from '@pvnas/nas';

async function main(): Promise<void> {
  const [C, N, T, S, classes, steps] = (process.argv[2] ?? '8,16,8,32,8,4').split(',').map(Number) as [number, number, number, number, number, number];
  await selectBackend({ backend: (process.env.PVNAS_BENCH_BACKEND as 'torch' | 'wasm' | undefined) ?? 'torch', log: null });
  const optim = searchOptimSchema.parse({
    oneLevel: 'simultaneous',
    recompute: process.env.PVNAS_BENCH_BACKEND === 'wasm',
    gradClip: 5,
    alphaLr: 0.01,
    weightLr: { kind: 'constant', initial: 0.05 },
  });
  const trainer = new SearchTrainer({ channels: C, classes, stemStride: 2, dropout: 0, seed: 0 }, optim, 10);
  const x = tf.randomNormal([N, T, S, S, 3], 0, 1, 'float32', 1) as tf.Tensor5D;
  const y = tf.tensor1d(
    Array.from({ length: N }, (_, i) => i % classes),
    'int32',
  );
  const ms: number[] = [];
  for (let i = 0; i <= steps; i++) {
    const t0 = performance.now();
    trainer.step(x, y, { epoch: 0, step: i, epochFraction: 0 });
    if (i > 0) ms.push(performance.now() - t0);
  }
  process.stdout.write(JSON.stringify({ msPerStep: ms }) + '\n');
  tf.dispose([x, y]);
  trainer.dispose();
}

void main();

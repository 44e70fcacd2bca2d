/**
 * One process of `nx run tools:bench-dp` (data-parallel.ts): search steps of the library's SearchTrainer on a fixed
 * random batch, as one rank of a data-parallel group when RANK/WORLD_SIZE are set (the launcher's environment: a
 * file rendezvous in PVNAS_STORE_FILE) or alone. Prints one JSON line {"msPerStep": [...], "collectiveMsPerStep": [...]}
 * over the timed steps (after `warmup` untimed ones).
 *
 *   node -r <register> dp-child.ts C,N,T,S,classes,steps,warmup device        (N: this process's clips per step)
 */
import * as tf from '@tensorflow/tfjs-core';
import { collectiveStats, initProcessGroup, SearchTrainer, searchOptimSchema, selectBackend, TorchBackend } from '@pvnas/nas';

async function main(): Promise<void> {
  const [C, N, T, S, classes, steps, warmup] = process.argv[2].split(',').map(Number) as [number, number, number, number, number, number, number];
  const device = process.argv[3] ?? 'cpu';
  const rank = Number(process.env.RANK ?? 0);
  const world = Number(process.env.WORLD_SIZE ?? 1);
  const local = Number(process.env.LOCAL_RANK ?? 0);
  await selectBackend({ backend: 'torch', device: device === 'cuda' ? 'cuda' : 'cpu', localRank: local, log: null });
  if (world > 1) initProcessGroup({ rank, worldSize: world, storeFile: process.env.PVNAS_STORE_FILE });
  // the sample preset's search optimisation (simultaneous one-level, no recomputation)
  const optim = searchOptimSchema.parse({
    oneLevel: 'simultaneous',
    recompute: false,
    gradClip: 5,
    alphaLr: 0.01,
    weightLr: { kind: 'constant', initial: 0.05 },
  });
  const trainer = new SearchTrainer({ channels: C, classes, stemStride: 2, dropout: 0, seed: 0 }, optim, 10);
  trainer.syncReplicas();
  const x = tf.randomNormal([N, T, S, S, 3], 0, 1, 'float32', 1 + rank) as tf.Tensor5D;
  const y = tf.tensor1d(
    Array.from({ length: N }, (_, i) => (i + rank) % classes),
    'int32',
  );
  const sync = () => (tf.backend() as TorchBackend).native.synchronize();
  const ms: number[] = [];
  const collectiveMs: number[] = [];
  for (let i = 0; i < warmup + steps; i++) {
    sync();
    const [t0, c0] = [performance.now(), collectiveStats().ms];
    trainer.step(x, y, { epoch: 0, step: i, epochFraction: 0 }); // ends with the step's host read: the work is done
    sync();
    if (i >= warmup) {
      ms.push(performance.now() - t0);
      collectiveMs.push(collectiveStats().ms - c0);
    }
  }
  process.stdout.write(JSON.stringify({ rank, world, msPerStep: ms, collectiveMsPerStep: collectiveMs }) + '\n');
  tf.dispose([x, y]);
  trainer.dispose();
}

main().catch((e) => {
  process.stderr.write(`dp-child: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});

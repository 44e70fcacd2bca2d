/**
 * One rank of the data-parallel tests (process-group.test.ts), run as its own process:
 *   node -e "require('#runtime/register'); require('<this file>')" RANK WORLD PORT MODE OUT
 * MODE `search[-bn]` / `retrain[-bn]`: the library's trainer (SearchTrainer: one-level steps, Adam on the alphas and
 * clipped SGD on the weights; RetrainTrainer: a derived network with momentum SGD) built from a rank-specific seed,
 * synced from rank 0, then 3 steps. Every rank takes its DistributedSampler share (items rank, rank + WORLD, ...) of
 * the same global batch of 4 clips, so WORLD 2 and WORLD 1 (no process group) see the same clips per step.
 * Without `-bn` the BN layers run on their running statistics (`normEval`) and there is no dropout: a 2-process step
 * must then equal a 1-process step on the global batch. Writes every checkpoint tensor (weights, BN statistics,
 * alphas, optimizer state), sorted by name, to OUT/rank-RANK.bin; prints {"rank", "hash", "losses", "correct"}.
 * MODE `die`: rank 1 exits right after joining; rank 0 then all-reduces and must fail, not hang.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../backend/select';
import { defaultLayout } from '../derived/layout';
import { randomGenotype } from '../search-space/random-arch';
import { RetrainTrainer, retrainOptimSchema } from '../train/retrain-trainer';
import { SearchTrainer, searchOptimSchema } from '../train/search-trainer';
import { allReduceMean, initProcessGroup, processGroup } from './process-group';

const GLOBAL_BATCH = 4;

function trainer(mode: string, seed: number): { step: SearchTrainer['step']; sync(): void; averageBuffers(): void; tensors(): Record<string, tf.Tensor> } {
  const normEval = !mode.endsWith('-bn');
  const dropout = normEval ? 0 : 0.5;
  if (mode.startsWith('search')) {
    const t = new SearchTrainer(
      { channels: 2, classes: 3, stemStride: 2, dropout, seed },
      searchOptimSchema.parse({ gradClip: 5, recompute: false, weightLr: { kind: 'constant', initial: 0.05 } }),
      1,
      { normEval },
    );
    return {
      step: (x, y, at) => t.step(x, y, at),
      sync: () => t.syncReplicas(),
      averageBuffers: () => t.averageBuffers(),
      tensors: () => t.checkpointTensors(),
    };
  }
  const genotype = randomGenotype(5);
  const t = new RetrainTrainer(
    genotype,
    { channels: 4, classes: 3, layout: defaultLayout(1), stemStride: 2, dropout, seed },
    retrainOptimSchema.parse({ lr: { kind: 'constant', initial: 0.05 }, dropPath: normEval ? 0 : 0.2 }),
    1,
    { normEval },
  );
  return { step: (x, y, at) => t.step(x, y, at), sync: () => t.syncReplicas(), averageBuffers: () => t.averageBuffers(), tensors: () => t.checkpointTensors() };
}

async function main(): Promise<void> {
  const [rank, world, port] = process.argv.slice(-5, -2).map(Number);
  const [mode, out] = process.argv.slice(-2);
  await selectBackend({ backend: 'torch', device: 'cpu', threads: 1, log: null });
  if (world > 1) initProcessGroup({ rank, worldSize: world, masterPort: port, timeoutMs: 8000 });
  if (mode === 'die') {
    if (rank === 1) process.exit(3);
    await new Promise((r) => setTimeout(r, 500));
    allReduceMean([tf.ones([4])]);
    return;
  }
  const t = trainer(mode, 10 + rank);
  t.sync();
  const losses: number[] = [];
  let correct = 0;
  for (let step = 0; step < 3; step++) {
    const mine = Array.from({ length: GLOBAL_BATCH / world }, (_, k) => rank + k * world);
    let outcome!: ReturnType<SearchTrainer['step']>;
    tf.tidy(() => {
      // (seeds from 1: tfjs draws a random seed for 0)
      const x = tf.stack(mine.map((i) => tf.randomNormal([4, 16, 16, 3], 0, 1, 'float32', 1000 * step + i + 1))) as tf.Tensor5D;
      const labels = tf.tensor1d(
        mine.map((i) => (i + step) % 3),
        'int32',
      );
      outcome = t.step(x, labels, { epoch: 0, step, epochFraction: step / 3 });
    });
    losses.push(outcome.loss);
    correct += outcome.correct;
  }
  t.averageBuffers(); // as before a checkpoint: the BN statistics, computed per process, evened out
  const tensors = t.tensors();
  const names = Object.keys(tensors).sort();
  const bytes = Buffer.concat(names.map((n) => Buffer.from((tensors[n].dataSync() as Float32Array).slice().buffer)));
  fs.writeFileSync(path.join(out, `rank-${rank}.bin`), bytes);
  const hash = createHash('sha256').update(bytes).digest('hex');
  process.stdout.write(JSON.stringify({ rank, world: processGroup().worldSize, hash, losses, correct, tensors: names.length }) + '\n');
}

main().catch((e) => {
  process.stderr.write(`rank error: ${(e as Error).message}\n`);
  process.exit(1);
});

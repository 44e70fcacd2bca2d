/**
 * One rank of the data-parallel test (process-group.test.ts), run as its own process:
 *   node -e "require('#runtime/register'); require('<this file>')" RANK WORLD PORT MODE
 * MODE `train`: different initial weights per rank, synced from rank 0, then 3 data-parallel search steps on a
 * rank-specific batch (gradients all-reduced before each update); prints {"rank", "hash", "mean"} as JSON.
 * MODE `die`: rank 1 exits right after joining; rank 0 then all-reduces and must fail, not hang.
 */
import { createHash } from 'node:crypto';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../backend/select';
import { lossAndGradients, SearchNetwork } from '../search-space/search-network';
import { Sgd } from '../train/optimizers';
import { allReduceMean, initProcessGroup, syncVariables } from './process-group';

async function main(): Promise<void> {
  const [rank, world, port] = process.argv.slice(-4, -1).map(Number);
  const mode = process.argv[process.argv.length - 1];
  await selectBackend({ backend: 'torch', device: 'cpu', threads: 1, log: null });
  initProcessGroup({ rank, worldSize: world, masterPort: port, timeoutMs: 8000 });
  if (mode === 'die') {
    if (rank === 1) process.exit(3);
    await new Promise((r) => setTimeout(r, 500));
    allReduceMean([tf.ones([4])]);
    return;
  }
  const [mean] = allReduceMean([tf.tensor1d([rank + 1, 10 * (rank + 1)])]);
  const net = new SearchNetwork({ channels: 2, classes: 3, stemStride: 2, dropout: 0, seed: 10 + rank });
  const vars = [...net.weights(), ...net.alphaList()];
  syncVariables(vars);
  const opt = new Sgd({ lr: 0.05, momentum: 0.9, weightDecay: 1e-4 });
  for (let step = 0; step < 3; step++) {
    const x = tf.randomNormal([2, 4, 16, 16, 3], 0, 1, 'float32', 100 * rank + step) as tf.Tensor5D;
    const labels = tf.tensor1d([rank, 2 - rank], 'int32');
    const g = lossAndGradients(net, x, labels, vars, { recompute: false });
    const avg = allReduceMean(g.grads);
    opt.step(vars, avg);
    tf.dispose([x, labels, g.loss, g.correct, ...g.grads, ...avg]);
  }
  const hash = createHash('sha256');
  for (const v of vars) hash.update(Buffer.from((v.dataSync() as Float32Array).buffer));
  process.stdout.write(JSON.stringify({ rank, hash: hash.digest('hex'), mean: Array.from(mean.dataSync()) }) + '\n');
}

main().catch((e) => {
  process.stderr.write(`rank error: ${(e as Error).message}\n`);
  process.exit(1);
});

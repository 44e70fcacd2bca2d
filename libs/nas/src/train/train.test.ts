import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadTorchAddon } from '../backend/torch/native';
import { selectBackend } from '../backend/select';
import { randomGenotype } from '../search-space/random-arch';
import { defaultLayout } from '../derived/layout';
import { latestCheckpoint, loadCheckpoint, NonFiniteStateError, saveCheckpoint } from './checkpoint';
import { emptyTotals, NonFiniteLossError, runEpochs, type Batch, type BatchSource, type LoopState } from './epoch-loop';
import { RetrainTrainer, retrainOptimSchema } from './retrain-trainer';
import { SearchTrainer, searchOptimSchema } from './search-trainer';

/** Clips whose label is the sign pattern of their mean over time: learnable by a tiny net. */
function syntheticSource(clips: number, batch: number, seed: number): BatchSource & { batches: number } {
  const shape = [4, 12, 12, 3];
  const size = shape.reduce((a, b) => a * b, 1);
  const all = tf.tidy(() => tf.randomNormal([clips, size], 0, 1, 'float32', seed).arraySync() as number[][]);
  const labels = all.map((c) => (c.slice(0, size / 2).reduce((a, b) => a + b, 0) > 0 ? 1 : 0) + (c[0] > 0 ? 2 : 0));
  return {
    batches: Math.ceil(clips / batch),
    async *epoch(epoch: number, from: number): AsyncIterable<Batch> {
      // a seeded order per epoch, like the loader's
      const order = Array.from({ length: clips }, (_, i) => i).sort((a, b) => ((a * 7919 + epoch * 104729) % 997) - ((b * 7919 + epoch * 104729) % 997));
      for (let start = from; start < clips; start += batch) {
        const ids = order.slice(start, start + batch);
        const data = new Float32Array(ids.length * size);
        ids.forEach((id, k) => data.set(all[id], k * size));
        yield { data, shape: [ids.length, 4, 12, 12, 3], labels: Int32Array.from(ids.map((i) => labels[i])), waitMs: 0, cursor: start + ids.length };
      }
    },
  };
}

const start = (): LoopState => ({ epoch: 0, cursor: 0, step: 0, totals: emptyTotals() });
const network = { channels: 2, classes: 4, stemStride: 2, dropout: 0.2, seed: 3 };
const optim = searchOptimSchema.parse({ weightLr: { kind: 'step', initial: 0.05, stepEpochs: 1 }, gradClip: 5 });

describe('training loop, search trainer and checkpoints', () => {
  let dir: string;
  beforeAll(async () => {
    await selectBackend({ backend: loadTorchAddon().ok ? 'torch' : 'wasm', log: null });
  });
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pvnas-train-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a search resumed from a mid-epoch checkpoint ends with exactly the alphas and weights of an uninterrupted one; tensors stay flat', async () => {
    const source = syntheticSource(10, 4, 1); // 3 batches per epoch, the last one short
    const run = async (stopAfter: number | undefined, root: string, resume: boolean) => {
      const t = new SearchTrainer(network, optim, 2);
      let begin = start();
      if (resume) {
        const ck = loadCheckpoint(latestCheckpoint(root)!);
        t.restore(ck.tensors, ck.state, root);
        tf.dispose(Object.values(ck.tensors));
        begin = ck.state.loop as LoopState;
      }
      const counts: number[] = [];
      const epochEnds: number[] = [];
      const r = await runEpochs({
        epochs: 2,
        batchesPerEpoch: source.batches,
        start: begin,
        source,
        checkpointEvery: 2,
        step: (x, y, at) => t.step(x, y, at),
        onStep: () => counts.push(tf.memory().numTensors),
        onEpochEnd: async (e) => void epochEnds.push(e.clips),
        checkpoint: async (s) => void (await saveCheckpoint(root, `step-${s.step}`, s, { loop: s, ...t.checkpointState() }, t.checkpointTensors())),
        stopRequested: () => stopAfter !== undefined && counts.length >= stopAfter,
      });
      const out = {
        status: r.status,
        step: r.state.step,
        alphas: t.alphas(),
        weights: t.net.weights().map((v) => Array.from(v.dataSync())),
        counts,
        epochEnds,
      };
      t.dispose();
      return out;
    };
    const whole = await run(undefined, path.join(dir, 'a'), false);
    expect(whole.status).toBe('done');
    expect(whole.step).toBe(6);
    expect(whole.epochEnds).toEqual([10, 10]);
    expect(new Set(whole.counts.slice(1)).size).toBe(1); // no tensor leaks from step to step

    const first = await run(2, path.join(dir, 'b'), false); // stops after step 2 of epoch 0, mid-epoch
    expect(first).toMatchObject({ status: 'stopped', step: 2 });
    const rest = await run(undefined, path.join(dir, 'b'), true);
    expect(rest.status).toBe('done');
    expect(rest.step).toBe(6);
    expect(rest.epochEnds).toEqual([10, 10]); // the resumed epoch still reports all of its clips
    expect(rest.alphas).toEqual(whole.alphas);
    expect(rest.weights).toEqual(whole.weights);
    // the alphas moved, and the last two checkpoints are kept
    expect(whole.alphas.spatial_normal.flat().some((a) => Math.abs(a) > 2e-3)).toBe(true);
    expect(fs.readdirSync(path.join(dir, 'a')).sort()).toEqual(['latest.json', 'step-4', 'step-6']);
  });

  it('a NaN loss stops the run with a clear error and leaves the last good checkpoint; a NaN state is never written', async () => {
    const source = syntheticSource(8, 4, 2);
    const root = path.join(dir, 'nan');
    const t = new SearchTrainer(network, optim, 1);
    let calls = 0;
    const loop = runEpochs({
      epochs: 1,
      batchesPerEpoch: 2,
      start: start(),
      source,
      checkpointEvery: 1,
      step: (x, y, at) => (++calls === 2 ? { loss: NaN, correct: 0 } : t.step(x, y, at)),
      checkpoint: async (s) => void (await saveCheckpoint(root, `step-${s.step}`, s, { loop: s, ...t.checkpointState() }, t.checkpointTensors())),
      stopRequested: () => false,
    });
    await expect(loop).rejects.toThrow(NonFiniteLossError);
    await expect(loop).rejects.toThrow(/loss became NaN at step 1 \(epoch 0\).*last good checkpoint is kept/);
    expect(latestCheckpoint(root)).toBe(path.join(root, 'step-1'));
    const bad = tf.tensor1d([1, NaN]);
    await expect(saveCheckpoint(root, 'step-9', start(), {}, { 'param/x': bad })).rejects.toThrow(NonFiniteStateError);
    expect(latestCheckpoint(root)).toBe(path.join(root, 'step-1'));
    expect(fs.existsSync(path.join(root, 'step-9'))).toBe(false);
    bad.dispose();
    t.dispose();
  });

  it('a checkpoint with a truncated tensors.bin or another network is refused with the reason', async () => {
    const t = new SearchTrainer(network, optim, 1);
    const root = path.join(dir, 'ck');
    const ckDir = await saveCheckpoint(root, 'step-0', start(), t.checkpointState(), t.checkpointTensors());
    const other = new SearchTrainer({ ...network, channels: 4 }, optim, 1);
    const ck = loadCheckpoint(ckDir);
    expect(() => other.restore(ck.tensors, ck.state, root)).toThrow(/lacks or mis-shapes parameter .*another network config/);
    tf.dispose(Object.values(ck.tensors));
    fs.truncateSync(path.join(ckDir, 'tensors.bin'), 100);
    expect(() => loadCheckpoint(ckDir)).toThrow(/tensors\.bin has 100 bytes/);
    t.dispose();
    other.dispose();
  });

  it('retraining a derived network lowers the loss on a learnable set, with warm-up and drop-path, and restores exactly', async () => {
    const source = syntheticSource(16, 8, 3);
    const config = { channels: 4, classes: 4, layout: defaultLayout(1), stemStride: 2, dropout: 0.1, seed: 5 };
    const ro = retrainOptimSchema.parse({ lr: { kind: 'cosine', initial: 0.02, minimum: 0, warmupEpochs: 1, warmupStart: 0.002 }, dropPath: 0.2 });
    const t = new RetrainTrainer(randomGenotype(4), config, ro, 6);
    expect(t.lr(0)).toBeCloseTo(0.002, 12);
    expect(t.dropPath(0)).toBe(0);
    expect(t.dropPath(3)).toBeCloseTo(0.1, 12);
    const losses: number[] = [];
    await runEpochs({
      epochs: 6,
      batchesPerEpoch: 2,
      start: start(),
      source,
      checkpointEvery: 0,
      step: (x, y, at) => t.step(x, y, at),
      onEpochEnd: async (e) => void losses.push(e.loss),
      checkpoint: async (s) => void (await saveCheckpoint(path.join(dir, 'r'), `step-${s.step}`, s, {}, t.checkpointTensors())),
      stopRequested: () => false,
    });
    expect(losses[5]).toBeLessThan(losses[0]);
    const back = new RetrainTrainer(randomGenotype(4), config, ro, 6);
    const ck = loadCheckpoint(latestCheckpoint(path.join(dir, 'r'))!);
    back.restore(ck.tensors, 'r');
    tf.dispose(Object.values(ck.tensors));
    const x = tf.randomNormal([2, 4, 12, 12, 3], 0, 1, 'float32', 9) as tf.Tensor5D;
    const [a, b] = [t.logits(x), back.logits(x)];
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([x, a, b]);
    t.dispose();
    back.dispose();
  });

  it('a derived network learns which way a dot moves (only the order of frames tells), so time reaches the classifier', async () => {
    const [T, S] = [8, 24];
    const clips = (n: number, seed: number) => {
      let r = seed;
      const rnd = () => (r = (Math.imul(r, 1103515245) + 12345) >>> 0) / 2 ** 32;
      const data = new Float32Array(n * T * S * S * 3);
      const labels = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const dir = rnd() < 0.5 ? 1 : -1;
        labels[i] = dir > 0 ? 1 : 0;
        const [x0, y] = [Math.floor(rnd() * S), Math.floor(rnd() * (S - 4))];
        for (let t = 0; t < T; t++) {
          for (let dy = 0; dy < 4; dy++)
            for (let dx = 0; dx < 4; dx++)
              for (let c = 0; c < 3; c++) data[(((i * T + t) * S + y + dy) * S + ((x0 + 2 * dir * t + dx + 10 * S) % S)) * 3 + c] = 2;
        }
      }
      return { data, labels };
    };
    const t = new RetrainTrainer(
      randomGenotype(1),
      { channels: 8, classes: 2, layout: defaultLayout(1), stemStride: 2, dropout: 0, seed: 1 },
      retrainOptimSchema.parse({ lr: { kind: 'constant', initial: 0.02 }, dropPath: 0 }),
      1,
    );
    for (let step = 0; step < 60; step++) {
      const b = clips(16, step + 1);
      tf.tidy(() => void t.step(tf.tensor5d(b.data, [16, T, S, S, 3]), tf.tensor1d(b.labels, 'int32'), { epoch: 0, step, epochFraction: 0 }));
    }
    const val = clips(64, 999);
    const acc = tf.tidy(
      () =>
        tf.mean(tf.cast(tf.equal(tf.argMax(t.logits(tf.tensor5d(val.data, [64, T, S, S, 3])), 1), tf.tensor1d(val.labels, 'int32')), 'float32')).dataSync()[0],
    );
    expect(acc).toBeGreaterThanOrEqual(0.9);
    // the same clips with their frames reversed flip the prediction: the network uses the order
    const reversed = new Float32Array(val.data.length);
    const frame = S * S * 3;
    for (let i = 0; i < 64; i++)
      for (let f = 0; f < T; f++) reversed.set(val.data.subarray((i * T + f) * frame, (i * T + f + 1) * frame), (i * T + T - 1 - f) * frame);
    const accReversed = tf.tidy(
      () =>
        tf.mean(tf.cast(tf.equal(tf.argMax(t.logits(tf.tensor5d(reversed, [64, T, S, S, 3])), 1), tf.tensor1d(val.labels, 'int32')), 'float32')).dataSync()[0],
    );
    expect(accReversed).toBeLessThanOrEqual(0.1);
    t.dispose();
  });
});

/**
 * The device discipline of a training step on the `torch` backend, proved on the CPU by counting the host
 * crossings its TorchBackend records: a search step and a retraining step each read the host once (their
 * metrics, together, after the updates), copy no buffer from the host (the batch is on the device before the
 * step), run no kernel through the CPU fallback, and leave tensor and libtorch handle counts flat.
 */
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../backend/select';
import type { TorchBackend } from '../backend/torch/backend';
import { loadTorchAddon } from '../backend/torch/native';
import { defaultLayout } from '../derived/layout';
import { randomGenotype } from '../search-space/random-arch';
import type { StepAt, StepOutcome } from './epoch-loop';
import { RetrainTrainer, retrainOptimSchema } from './retrain-trainer';
import { SearchTrainer, searchOptimSchema } from './search-trainer';

const describeTorch = loadTorchAddon().ok ? describe : describe.skip;

interface Counts {
  reads: number;
  writes: number;
  fallbacks: number;
  tensors: number;
  handles: number;
}

function countSteps(step: (x: tf.Tensor5D, y: tf.Tensor1D, at: StepAt) => StepOutcome, steps: number): Counts[] {
  const b = tf.backend() as TorchBackend;
  const x = tf.randomNormal([2, 4, 12, 12, 3], 0, 1, 'float32', 1) as tf.Tensor5D;
  const y = tf.tensor1d([0, 3], 'int32');
  const out: Counts[] = [];
  for (let i = 0; i < steps; i++) {
    b.resetStats();
    const r = step(x, y, { epoch: 1, step: i, epochFraction: 1 });
    expect(Number.isFinite(r.loss)).toBe(true);
    out.push({
      reads: b.stats.hostReads,
      writes: b.stats.hostWrites,
      fallbacks: [...b.stats.fallbacks.values()].reduce((a, n) => a + n, 0),
      tensors: tf.memory().numTensors,
      handles: b.native.live(),
    });
  }
  tf.dispose([x, y]);
  return out;
}

describeTorch('a training step on the torch backend', () => {
  beforeAll(async () => {
    await selectBackend({ backend: 'torch', device: 'cpu', log: null });
  });

  it.each([
    ['search (alternating, dropout, gradient clipping)', false],
    ['search with recomputation', true],
  ])('%s: one host read, no host copy, no CPU fallback, flat memory', (_label, recompute) => {
    const optim = searchOptimSchema.parse({ weightLr: { kind: 'step', initial: 0.05, stepEpochs: 1 }, gradClip: 5, recompute });
    const t = new SearchTrainer({ channels: 2, classes: 4, stemStride: 2, dropout: 0.2, seed: 3 }, optim, 2);
    const counts = countSteps((x, y, at) => t.step(x, y, at), 3);
    for (const c of counts) expect([c.reads, c.writes, c.fallbacks]).toEqual([1, 0, 0]);
    expect(new Set(counts.map((c) => c.tensors)).size).toBe(1);
    expect(new Set(counts.map((c) => c.handles)).size).toBe(1);
    t.dispose();
  });

  it('retraining a derived network (drop-path, dropout, clipping): one host read, no host copy, no CPU fallback, flat memory', () => {
    const config = { channels: 4, classes: 4, layout: defaultLayout(1), stemStride: 2, dropout: 0.1, seed: 5 };
    const ro = retrainOptimSchema.parse({ lr: { kind: 'cosine', initial: 0.05, minimum: 0, warmupEpochs: 0 }, dropPath: 0.2, gradClip: 5 });
    const t = new RetrainTrainer(randomGenotype(4), config, ro, 6);
    const counts = countSteps((x, y, at) => t.step(x, y, at), 3);
    for (const c of counts) expect([c.reads, c.writes, c.fallbacks]).toEqual([1, 0, 0]);
    expect(new Set(counts.map((c) => c.tensors)).size).toBe(1);
    expect(new Set(counts.map((c) => c.handles)).size).toBe(1);
    t.dispose();
  });
});

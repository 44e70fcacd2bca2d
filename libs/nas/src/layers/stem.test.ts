import * as tf from '@tensorflow/tfjs-core';
import { loadTorchAddon } from '../backend/torch/native';
import { countMacs } from '../backend/ops/mac-counter';
import { selectBackend } from '../backend/select';
import { EVAL, TRAIN } from './context';
import { Params } from './params';
import { Stem, stemCost, STEM_MULTIPLIER } from './stem';

describe('stem', () => {
  beforeAll(async () => {
    await selectBackend({ backend: loadTorchAddon().ok ? 'torch' : 'wasm', log: null });
  });

  it.each([
    [1, 17, 17],
    [2, 17, 9],
    [2, 16, 8],
    [4, 224, 56],
    [4, 23, 6],
  ])('stride %i: %i pixels in, %i out, 3C channels; MACs and parameters equal the closed form', (stride, size, out) => {
    const p = new Params(1);
    const stem = new Stem(p.scope('stem'), 4, stride);
    const frames = 2;
    const { result, macs } = countMacs(() => tf.tidy(() => stem.forward(tf.randomNormal([1, frames, size, size, 3]) as tf.Tensor5D, EVAL).shape));
    expect(result).toEqual([1, frames, out, out, STEM_MULTIPLIER * 4]);
    const cost = stemCost(4, stride, frames, size);
    expect(cost.size).toBe(out);
    expect(macs).toBe(cost.macs);
    expect(
      p
        .list()
        .filter((x) => x.trainable)
        .reduce((n, x) => n + x.variable.size, 0),
    ).toBe(cost.params);
    p.dispose();
  });

  it('stride 4 is two stride-2 convs that see every input pixel (a single stride-4 3x3 conv skips some)', () => {
    const p = new Params(2);
    const stem = new Stem(p.scope('stem'), 2, 4);
    expect(
      p
        .list()
        .map((x) => x.name)
        .filter((n) => n.endsWith('conv1') || n.endsWith('conv2')),
    ).toEqual(['stem.conv1', 'stem.conv2']);
    const x = tf.randomNormal([1, 1, 16, 16, 3], 0, 1, 'float32', 3) as tf.Tensor5D;
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.square(stem.forward(v as tf.Tensor5D, TRAIN))))(x);
    const perPixel = tf.sum(tf.abs(g), [0, 1, 4]).arraySync() as number[][];
    expect(perPixel.flat().every((v) => v > 0)).toBe(true);
    tf.dispose([x, g]);
    p.dispose();
  });

  it('refuses a stride other than 1, 2 or 4', () => {
    expect(() => new Stem(new Params(1), 4, 3)).toThrow(/stem stride must be 1, 2 or 4/);
  });
});

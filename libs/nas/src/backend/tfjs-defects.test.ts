/**
 * One test per tfjs defect of FINDINGS.md: the stock path shows the defect (so the test would notice a
 * tfjs upgrade that fixes it), and our op layer gives the right values on the same backend.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { conv2d } from './ops/conv';
import { avgPool2d, maxPool2d } from './ops/pool';
import { batchNormTrain } from './ops/batch-norm';
import { linear } from './ops/linear';
import { spatialMaxPool, temporalConv } from './ops/video';
import { forceRoute } from './ops/route';
import { selectBackend } from './select';
import { avgPoolRef, conv2dRef, maxPoolRef, maxRelError, numericGradients, dot, randomArr, type Arr } from './testing/reference';

const toT = (a: Arr): tf.Tensor => tf.tensor(Float32Array.from(a.data), a.shape);

/** Gradient of sum(op(x) * r) w.r.t. x by tfjs, and by finite differences of the float64 reference. */
function inputGradient(op: (x: tf.Tensor) => tf.Tensor, ref: (x: Arr) => Arr, x: Arr): { ours: Float32Array; numeric: Float64Array } {
  const r = randomArr(ref(x).shape, 99).data;
  const numeric = numericGradients(([xa]) => dot(ref(xa), r), [x])[0];
  const ours = tf.tidy(
    () =>
      tf
        .grad((xi: tf.Tensor) => tf.sum(tf.mul(op(xi), tf.tensor(Float32Array.from(r), ref(x).shape))))(toT(x))
        .dataSync() as Float32Array,
  );
  return { ours, numeric };
}

describe('tfjs defects and how our op layer avoids them', () => {
  beforeEach(() => forceRoute(undefined));
  afterAll(async () => {
    forceRoute(undefined);
    await selectBackend({ backend: 'cpu', log: null });
  });

  it('wasm has no Conv2DBackpropFilter / DepthwiseConv2dNativeBackprop* kernels; our conv gradients run there', async () => {
    await selectBackend({ backend: 'wasm', log: null });
    const x = tf.randomNormal([1, 5, 5, 2]) as tf.Tensor4D;
    const w = tf.randomNormal([3, 3, 2, 2]) as tf.Tensor4D;
    const dw = tf.randomNormal([3, 3, 2, 1]) as tf.Tensor4D;
    expect(() => tf.grad((wi: tf.Tensor) => tf.sum(tf.conv2d(x, wi as tf.Tensor4D, 1, 'same')))(w)).toThrow(/Conv2DBackpropFilter.*not registered/);
    expect(() => tf.grad((xi: tf.Tensor) => tf.sum(tf.depthwiseConv2d(xi as tf.Tensor4D, dw, 1, 'same')))(x)).toThrow(
      /DepthwiseConv2dNativeBackpropInput.*not registered/,
    );
    const g = tf.grads((xi: tf.Tensor, wi: tf.Tensor) => tf.sum(conv2d(xi as tf.Tensor4D, wi as tf.Tensor4D)))([x, w]);
    expect(g.map((t) => t.shape)).toEqual([x.shape, w.shape]);
  });

  it('wasm MaxPoolGrad is wrong; our max pool gradient is right there', async () => {
    await selectBackend({ backend: 'wasm', log: null });
    const x = randomArr([2, 6, 6, 3], 17);
    const a = { kernel: [3, 3] as [number, number], stride: [1, 1] as [number, number], pad: [1, 1] as [number, number] };
    const stock = inputGradient(
      (xi) => tf.maxPool(xi as tf.Tensor4D, 3, 1, 'same'),
      (xa) => maxPoolRef(xa, a),
      x,
    );
    expect(maxRelError(stock.ours, stock.numeric)).toBeGreaterThan(1e-2);
    const ours = inputGradient(
      (xi) => maxPool2d(xi as tf.Tensor4D),
      (xa) => maxPoolRef(xa, a),
      x,
    );
    expect(maxRelError(ours.ours, ours.numeric)).toBeLessThan(1e-4);
  });

  it('wasm MaxPool3D forward is wrong; our 1x3x3 max pool over [N, T, H, W, C] is right there', async () => {
    await selectBackend({ backend: 'wasm', log: null });
    const x = randomArr([2, 3, 5, 5, 4], 21);
    const frames = { data: x.data, shape: [6, 5, 5, 4] };
    const want = maxPoolRef(frames, { kernel: [3, 3], stride: [1, 1], pad: [1, 1] }).data;
    const stock = tf.tidy(() => tf.maxPool3d(toT(x) as tf.Tensor5D, [1, 3, 3], 1, 'same').dataSync());
    expect(maxRelError(stock, want)).toBeGreaterThan(1e-2);
    const ours = tf.tidy(() => spatialMaxPool(toT(x) as tf.Tensor5D).dataSync());
    expect(maxRelError(ours, want)).toBeLessThan(1e-6);
  });

  it('wasm Conv3DBackpropInputV2 is wrong; our temporal conv gradient is right there', async () => {
    await selectBackend({ backend: 'wasm', log: null });
    const x = randomArr([2, 4, 3, 3, 3], 31);
    const w = randomArr([3, 1, 1, 3, 2], 32); // [kt, kh, kw, Cin, Cout] for conv3d
    const wT = tf.tensor(Float32Array.from(w.data), [3, 1, 3, 2]) as tf.Tensor4D;
    const ref = (xa: Arr): Arr => {
      const y = conv2dRef(
        { data: xa.data, shape: [2, 4, 9, 3] },
        { data: w.data, shape: [3, 1, 3, 2] },
        { stride: [1, 1], pad: [1, 0], dilation: [1, 1], groups: 1 },
      );
      return { data: y.data, shape: [2, 4, 3, 3, 2] };
    };
    const stock = inputGradient((xi) => tf.conv3d(xi as tf.Tensor5D, tf.tensor(Float32Array.from(w.data), [3, 1, 1, 3, 2]) as tf.Tensor5D, 1, 'same'), ref, x);
    expect(maxRelError(stock.ours, stock.numeric)).toBeGreaterThan(1e-2);
    const ours = inputGradient((xi) => temporalConv(xi as tf.Tensor5D, wT), ref, x);
    expect(maxRelError(ours.ours, ours.numeric)).toBeLessThan(1e-4);
  });

  it('wasm BatchMatMul aborts on a right operand reshaped from an earlier one; our matMul copies it', async () => {
    // the abort poisons the wasm module, so the stock behaviour is shown in a child process
    const script = `
      const tf = require('@tensorflow/tfjs'); require('@tensorflow/tfjs-backend-wasm');
      tf.setBackend('wasm').then(() => {
        const w = tf.randomNormal([4, 6]);
        tf.matMul(tf.randomNormal([3, 4]), w).dataSync();
        try { tf.matMul(tf.randomNormal([3, 6]), w.reshape([6, 4])).dataSync(); console.log('no abort'); } catch (e) { console.log('aborted: ' + e.message); }
      });`;
    const child = spawnSync(process.execPath, ['-e', script], { cwd: path.resolve(__dirname, '..', '..', '..', '..'), encoding: 'utf8' });
    expect(child.stdout).toMatch(/aborted/);
    await selectBackend({ backend: 'wasm', log: null });
    tf.tidy(() => {
      const w = tf.randomNormal([4, 6], 0, 1, 'float32', 3) as tf.Tensor2D;
      const a1 = tf.randomNormal([3, 4], 0, 1, 'float32', 4) as tf.Tensor2D;
      linear(a1, w).dataSync();
      const a2 = tf.randomNormal([3, 6], 0, 1, 'float32', 5) as tf.Tensor2D;
      const w2 = w.reshape<tf.Tensor2D>([6, 4]);
      const got = linear(a2, w2).dataSync();
      const A = a2.dataSync(),
        B = w2.dataSync();
      const want = new Float64Array(12);
      for (let i = 0; i < 3; i++) for (let j = 0; j < 4; j++) for (let k = 0; k < 6; k++) want[i * 4 + j] += A[i * 6 + k] * B[k * 4 + j];
      expect(maxRelError(got, want)).toBeLessThan(1e-5);
    });
  });

  it.each(['cpu', 'wasm'] as const)('%s: stock avgPool gradient with same padding is wrong at the borders; ours is right', async (backend) => {
    await selectBackend({ backend, log: null });
    const x = randomArr([1, 5, 5, 2], 41);
    const a = { kernel: [3, 3] as [number, number], stride: [1, 1] as [number, number], pad: [1, 1] as [number, number] };
    const stock = inputGradient(
      (xi) => tf.avgPool(xi as tf.Tensor4D, 3, 1, 'same'),
      (xa) => avgPoolRef(xa, a),
      x,
    );
    expect(maxRelError(stock.ours, stock.numeric)).toBeGreaterThan(0.05);
    const ours = inputGradient(
      (xi) => avgPool2d(xi as tf.Tensor4D),
      (xa) => avgPoolRef(xa, a),
      x,
    );
    expect(maxRelError(ours.ours, ours.numeric)).toBeLessThan(1e-4);
  });

  it.each(['cpu', 'wasm'] as const)('%s: tf.batchNorm has no working gradient; ours has', async (backend) => {
    await selectBackend({ backend, log: null });
    const x = tf.randomNormal([4, 3]);
    const m = tf.moments(x, 0);
    expect(() => tf.grad((xi: tf.Tensor) => tf.sum(tf.batchNorm(xi, m.mean, m.variance)))(x)).toThrow();
    const g = tf.grad((xi: tf.Tensor) => tf.sum(tf.square(batchNormTrain(xi).y)))(x);
    expect(g.shape).toEqual([4, 3]);
  });

  it.each(['cpu', 'wasm'] as const)('%s: stock gradients refuse dilation 2; ours are right', async (backend) => {
    await selectBackend({ backend, log: null });
    const x = tf.randomNormal([1, 7, 7, 2]) as tf.Tensor4D;
    const w = tf.randomNormal([3, 3, 2, 1]) as tf.Tensor4D;
    expect(() => tf.grad((xi: tf.Tensor) => tf.sum(tf.depthwiseConv2d(xi as tf.Tensor4D, w, 1, 'same', 'NHWC', 2)))(x)).toThrow(/dilation/);
    const xa = randomArr([1, 7, 7, 2], 51),
      wa = randomArr([3, 3, 1, 2], 52);
    const attrs = { stride: [1, 1] as [number, number], pad: [2, 2] as [number, number], dilation: [2, 2] as [number, number], groups: 2 };
    const wT = toT(wa) as tf.Tensor4D;
    const ours = inputGradient(
      (xi) => conv2d(xi as tf.Tensor4D, wT, { dilation: 2, groups: 2 }),
      (xr) => conv2dRef(xr, wa, attrs),
      xa,
    );
    expect(maxRelError(ours.ours, ours.numeric)).toBeLessThan(1e-4);
  });
});

import * as tf from '@tensorflow/tfjs-core';
import { avgPoolRef, maxPoolRef, randomArr } from '../testing/reference';
import { POOL_CASES } from '../testing/gradient-cases';
import { availableSetups, gradCheck, use, type Setup } from '../testing/harness';
import { pool2dAttrs, avgPool2d, maxPool2d, type Pool2dOptions } from './pool';
import { forceRoute } from './route';

const CASES = POOL_CASES;

/** Expected input gradient of a max pool on a constant input: each window's dy at its first in-bounds tap. */
function firstTapGradient(xs: number[], o: Pool2dOptions, dy: Float32Array, ys: number[]): Float32Array {
  const a = pool2dAttrs(o);
  const [B, H, W, C] = xs;
  const dx = new Float32Array(B * H * W * C);
  for (let b = 0; b < B; b++)
    for (let i = 0; i < ys[1]; i++)
      for (let j = 0; j < ys[2]; j++)
        for (let c = 0; c < C; c++) {
          const h = Math.max(i * a.stride[0] - a.pad[0], 0),
            w = Math.max(j * a.stride[1] - a.pad[1], 0);
          dx[((b * H + h) * W + w) * C + c] += dy[((b * ys[1] + i) * ys[2] + j) * C + c];
        }
  return dx;
}

describe('avg and max pool forward and gradients on every backend and route', () => {
  let setups: Setup[] = [];
  beforeAll(async () => {
    setups = await availableSetups();
  });
  afterAll(() => forceRoute(undefined));

  it.each(CASES)('avg %s: padding not counted, gradient right at the borders', async (_l, xs, o) => {
    const x = randomArr(xs, 5);
    for (const setup of setups) {
      await use(setup);
      const r = gradCheck(
        (xi) => avgPool2d(xi as tf.Tensor4D, o),
        ([xa]) => avgPoolRef(xa, pool2dAttrs(o)),
        [x],
      );
      const at = `${setup.backend}/${setup.route}`;
      expect({ at, forward: r.forwardError, dx: r.gradErrors[0] }).toEqual({ at, forward: expect.any(Number), dx: expect.any(Number) });
      expect([at, r.forwardError < 1e-6, r.gradErrors[0] < 1e-4]).toEqual([at, true, true]);
    }
  });

  it.each(CASES)('max %s', async (_l, xs, o) => {
    const x = randomArr(xs, 9);
    for (const setup of setups) {
      await use(setup);
      const r = gradCheck(
        (xi) => maxPool2d(xi as tf.Tensor4D, o),
        ([xa]) => maxPoolRef(xa, pool2dAttrs(o)),
        [x],
      );
      const at = `${setup.backend}/${setup.route}`;
      expect([at, r.forwardError < 1e-6, r.gradErrors[0] < 1e-4]).toEqual([at, true, true]);
    }
  });

  it.each(CASES)('max %s on a constant input: each window gives its gradient to one element, none lost', async (_l, xs, o) => {
    for (const setup of setups) {
      await use(setup);
      const at = `${setup.backend}/${setup.route}`;
      tf.tidy(() => {
        const x = tf.fill(xs, 0.5).as4D(xs[0], xs[1], xs[2], xs[3]);
        const y = maxPool2d(x, o);
        const dy = tf.randomUniform(y.shape, 0.5, 1.5, 'float32', 3);
        const dx = tf.grad((xi: tf.Tensor) => tf.sum(tf.mul(maxPool2d(xi as tf.Tensor4D, o), dy)))(x);
        const expected = firstTapGradient(xs, o, dy.dataSync() as Float32Array, y.shape);
        const got = dx.dataSync();
        let err = 0;
        for (let k = 0; k < got.length; k++) err = Math.max(err, Math.abs(got[k] - expected[k]));
        expect([at, err < 1e-5, Math.abs(tf.sum(dx).dataSync()[0] - tf.sum(dy).dataSync()[0]) < 1e-3]).toEqual([at, true, true]);
      });
    }
  });
});

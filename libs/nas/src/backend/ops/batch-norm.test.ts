import * as tf from '@tensorflow/tfjs-core';
import { batchNormRef, randomArr } from '../testing/reference';
import { availableSetups, gradCheck, use, type Setup } from '../testing/harness';
import { batchNormEval, batchNormTrain, BN_EPS } from './batch-norm';
import { forceRoute } from './route';

describe('batch norm in training mode, forward and gradients, every backend and route', () => {
  let setups: Setup[] = [];
  beforeAll(async () => {
    setups = await availableSetups();
  });
  afterAll(() => forceRoute(undefined));

  it('without affine, on a 5-D [N, T, H, W, C] input', async () => {
    const x = randomArr([2, 2, 3, 2, 3], 3);
    for (const setup of setups) {
      await use(setup);
      const r = gradCheck(
        (xi) => batchNormTrain(xi).y,
        ([xa]) => batchNormRef(xa, BN_EPS),
        [x],
      );
      const at = `${setup.backend}/${setup.route}`;
      expect([at, r.forwardError < 1e-5, r.gradErrors[0] < 5e-4]).toEqual([at, true, true]);
    }
  });

  it('with affine: gradients for x, gamma and beta', async () => {
    const x = randomArr([3, 2, 2, 4], 4),
      gamma = randomArr([4], 5),
      beta = randomArr([4], 6);
    for (const setup of setups) {
      await use(setup);
      const r = gradCheck(
        (xi, g, b) => batchNormTrain(xi, { gamma: g as tf.Tensor1D, beta: b as tf.Tensor1D }).y,
        ([xa, ga, ba]) => batchNormRef(xa, BN_EPS, ga, ba),
        [x, gamma, beta],
      );
      const at = `${setup.backend}/${setup.route}`;
      expect([at, r.forwardError < 1e-5, ...r.gradErrors.map((e) => e < 5e-4)]).toEqual([at, true, true, true, true]);
    }
  });

  it('returns the batch mean and biased variance, and eval mode uses running statistics', async () => {
    for (const setup of setups) {
      await use(setup);
      const at = `${setup.backend}/${setup.route}`;
      tf.tidy(() => {
        const x = tf.tensor2d([1, 10, 3, 20, 5, 60], [3, 2]);
        const { mean, variance } = batchNormTrain(x);
        expect([at, ...Array.from(mean.dataSync()).map((v) => +v.toFixed(4))]).toEqual([at, 3, 30]);
        expect([at, ...Array.from(variance.dataSync()).map((v) => +v.toFixed(3))]).toEqual([at, +(8 / 3).toFixed(3), +(1400 / 3).toFixed(3)]);
        const y = batchNormEval(x, tf.tensor1d([1, 10]), tf.tensor1d([4, 100]), { gamma: tf.tensor1d([2, 1]), beta: tf.tensor1d([0, 1]) }, 0);
        expect([at, ...Array.from(y.dataSync()).map((v) => +v.toFixed(4))]).toEqual([at, 0, 1, 2, 2, 4, 6]);
      });
    }
  });
});

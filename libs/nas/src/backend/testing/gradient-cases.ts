/**
 * The op gradient checks as data: every convolution, pool and batch-norm formulation the PV-NAS ops use, each a
 * forward against the float64 reference and gradients against central differences (harness.ts). The op tests
 * (ops/*.test.ts) run them on every backend and route; tools/device/gpu-check.ts runs them on a GPU.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { Conv2dAttrs } from '../geometry';
import { batchNormTrain, BN_EPS } from '../ops/batch-norm';
import { conv2d, conv2dAttrs } from '../ops/conv';
import { avgPool2d, maxPool2d, pool2dAttrs, type Pool2dOptions } from '../ops/pool';
import { gradCheck, type GradCheck } from './harness';
import { avgPoolRef, batchNormRef, conv2dRef, maxPoolRef, randomArr } from './reference';

/** [label, x shape, w shape, attrs]: every convolution the PV-NAS ops use, odd and even sizes. */
export const CONV_CASES: Array<[string, number[], number[], Partial<Conv2dAttrs>]> = [
  ['3x3 dense s1', [2, 5, 6, 3], [3, 3, 3, 4], {}],
  ['3x3 dense s2 even', [2, 6, 6, 3], [3, 3, 3, 4], { stride: [2, 2] }],
  ['3x3 dense s2 odd', [1, 7, 5, 2], [3, 3, 2, 3], { stride: [2, 2] }],
  ['1x1 dense s1', [2, 4, 4, 3], [1, 1, 3, 5], {}],
  ['1x1 dense s2 (FactorizedReduce)', [2, 6, 5, 3], [1, 1, 3, 2], { stride: [2, 2], pad: [0, 0] }],
  // the shape whose backward made oneDNN 2.6 write past its own buffer (a glibc abort later); now a strided view
  ['1x1 dense s2, 4 -> 2 channels (FactorizedReduce of a 2-channel cell)', [8, 12, 12, 4], [1, 1, 4, 2], { stride: [2, 2], pad: [0, 0] }],
  ['3x1 temporal', [2, 6, 4, 3], [3, 1, 3, 3], {}],
  ['3x3 depthwise s1', [2, 5, 5, 4], [3, 3, 1, 4], { groups: 4 }],
  ['3x3 depthwise s2', [2, 6, 7, 3], [3, 3, 1, 3], { groups: 3, stride: [2, 2] }],
  ['3x3 depthwise dil2 s1', [2, 7, 6, 3], [3, 3, 1, 3], { groups: 3, dilation: [2, 2] }],
  ['3x3 depthwise dil2 s2', [1, 8, 9, 2], [3, 3, 1, 2], { groups: 2, dilation: [2, 2], stride: [2, 2] }],
  ['3x3 dense dil2 s2', [1, 8, 7, 2], [3, 3, 2, 3], { dilation: [2, 2], stride: [2, 2] }],
];

/** [label, x shape, options] of the pools. */
export const POOL_CASES: Array<[string, number[], Pool2dOptions]> = [
  ['3x3 s1', [2, 5, 6, 3], {}],
  ['3x3 s2 even', [2, 6, 6, 2], { stride: 2 }],
  ['3x3 s2 odd', [1, 7, 5, 3], { stride: 2 }],
  ['3x1 s1', [2, 5, 4, 2], { kernel: [3, 1] }],
];

export interface GradientCase {
  name: string;
  /** Largest forward error and gradient error (relative to the largest gradient) that pass. */
  tol: { forward: number; grad: number };
  check: () => GradCheck;
}

/** Every case, on whatever backend and route is current. */
export function gradientCases(): GradientCase[] {
  const conv = CONV_CASES.map(([label, xs, ws, partial]): GradientCase => {
    const a = conv2dAttrs(ws, partial);
    return {
      name: `conv2d ${label}`,
      tol: { forward: 1e-5, grad: 2e-4 },
      check: () =>
        gradCheck(
          (xi, wi) => conv2d(xi as tf.Tensor4D, wi as tf.Tensor4D, a),
          ([xa, wa]) => conv2dRef(xa, wa, a),
          [randomArr(xs, 11), randomArr(ws, 23)],
        ),
    };
  });
  const pools = POOL_CASES.flatMap(([label, xs, o]): GradientCase[] => [
    {
      name: `avg pool ${label}`,
      tol: { forward: 1e-6, grad: 1e-4 },
      check: () =>
        gradCheck(
          (xi) => avgPool2d(xi as tf.Tensor4D, o),
          ([xa]) => avgPoolRef(xa, pool2dAttrs(o)),
          [randomArr(xs, 5)],
        ),
    },
    {
      name: `max pool ${label}`,
      tol: { forward: 1e-6, grad: 1e-4 },
      check: () =>
        gradCheck(
          (xi) => maxPool2d(xi as tf.Tensor4D, o),
          ([xa]) => maxPoolRef(xa, pool2dAttrs(o)),
          [randomArr(xs, 9)],
        ),
    },
  ]);
  const norms: GradientCase[] = [
    {
      name: 'batch norm without affine, 5-D input',
      tol: { forward: 1e-5, grad: 5e-4 },
      check: () =>
        gradCheck(
          (xi) => batchNormTrain(xi).y,
          ([xa]) => batchNormRef(xa, BN_EPS),
          [randomArr([2, 2, 3, 2, 3], 3)],
        ),
    },
    {
      name: 'batch norm with affine: x, gamma, beta',
      tol: { forward: 1e-5, grad: 5e-4 },
      check: () =>
        gradCheck(
          (xi, g, b) => batchNormTrain(xi, { gamma: g as tf.Tensor1D, beta: b as tf.Tensor1D }).y,
          ([xa, ga, ba]) => batchNormRef(xa, BN_EPS, ga, ba),
          [randomArr([3, 2, 2, 4], 4), randomArr([4], 5), randomArr([4], 6)],
        ),
    },
  ];
  return [...conv, ...pools, ...norms];
}

import type { Conv2dAttrs } from '../geometry';
import { conv2dRef, randomArr } from '../testing/reference';
import { availableSetups, gradCheck, use, type Setup } from '../testing/harness';
import { forceRoute } from './route';
import { conv2d, conv2dAttrs } from './conv';

// [label, x shape, w shape, attrs]: every formulation the PV-NAS ops use, odd and even sizes.
const CASES: Array<[string, number[], number[], Partial<Conv2dAttrs>]> = [
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

/** Float32 analytic vs float64 central differences on values in [-1, 1): relative to the largest gradient. */
const TOL = 2e-4;

describe('conv2d forward and gradients match a float64 reference on every backend and route', () => {
  let setups: Setup[] = [];
  beforeAll(async () => {
    setups = await availableSetups();
  });
  afterAll(() => forceRoute(undefined));

  it('finds at least the cpu and wasm backends', () => {
    expect(setups.map((s) => s.backend)).toEqual(expect.arrayContaining(['cpu', 'wasm']));
  });

  it.each(CASES)('%s', async (_label, xs, ws, partial) => {
    const a = conv2dAttrs(ws, partial);
    const x = randomArr(xs, 11),
      w = randomArr(ws, 23);
    for (const setup of setups) {
      await use(setup);
      const r = gradCheck(
        (xi, wi) => conv2d(xi as never, wi as never, a),
        ([xa, wa]) => conv2dRef(xa, wa, a),
        [x, w],
      );
      const at = `${setup.backend}/${setup.route}`;
      expect({ at, forward: r.forwardError < 1e-5 }).toEqual({ at, forward: true });
      expect({ at, dx: r.gradErrors[0] < TOL, dw: r.gradErrors[1] < TOL }).toEqual({ at, dx: true, dw: true });
    }
  });

  it('names the shapes when channels and groups disagree', () => {
    expect(() => conv2dAttrs([3, 3], { pad: undefined, dilation: 1 })).not.toThrow();
    expect(() => conv2dAttrs([2, 2])).toThrow(/no same-size padding/);
  });
});

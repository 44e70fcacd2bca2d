import { conv2dRef, randomArr } from '../testing/reference';
import { CONV_CASES } from '../testing/gradient-cases';
import { availableSetups, gradCheck, use, type Setup } from '../testing/harness';
import { forceRoute } from './route';
import { conv2d, conv2dAttrs } from './conv';

/** Float32 analytic vs float64 central differences on values in [-1, 1): relative to the largest gradient. */
const TOL = 2e-4;

const CASES = CONV_CASES;

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

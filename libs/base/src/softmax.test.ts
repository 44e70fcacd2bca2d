import { softmax, softmaxInto } from './softmax';

describe('softmax', () => {
  it('gives exp(x) / sum exp(x): logits 0 and ln 3 are 1/4 and 3/4', () => {
    const p = softmax([0, Math.log(3)]);
    expect(p[0]).toBeCloseTo(0.25, 14);
    expect(p[1]).toBeCloseTo(0.75, 14);
  });

  it('is stable with logits of 1000 (a naive exp overflows to Infinity and gives NaN)', () => {
    const p = softmax([1000, 1000 + Math.log(3)]);
    expect(p[0]).toBeCloseTo(0.25, 12);
    expect(p[1]).toBeCloseTo(0.75, 12);
    expect(Array.from(softmax([1000, 0]))).toEqual([1, 0]); // exp(-1000) underflows to 0 in float64
    expect(Array.from(softmax([-1000, -1000]))).toEqual([0.5, 0.5]); // a naive exp underflows to 0/0
    const big = softmax([1000, 999, 998]);
    const e = [1, Math.exp(-1), Math.exp(-2)];
    const z = e[0] + e[1] + e[2];
    e.forEach((x, c) => expect(big[c]).toBeCloseTo(x / z, 14));
  });

  it('reads a row at an offset and writes at an offset, leaving the rest alone', () => {
    const out = new Float64Array([9, 9, 9, 9]);
    softmaxInto([7, 0, Math.log(3), 7], 1, 2, out, 2);
    expect(out[0]).toBe(9);
    expect(out[1]).toBe(9);
    expect(out[2]).toBeCloseTo(0.25, 14);
    expect(out[3]).toBeCloseTo(0.75, 14);
  });

  it('refuses NaN and infinite logits, naming the class, without writing', () => {
    const out = new Float64Array([9, 9, 9]);
    expect(() => softmaxInto([0, NaN, 1], 0, 3, out)).toThrow(/class 1 is NaN/);
    expect(() => softmax([0, 1, Infinity])).toThrow(/class 2 is Infinity/);
    expect(() => softmax([-Infinity, 0])).toThrow(RangeError);
    expect(Array.from(out)).toEqual([9, 9, 9]);
  });

  it('refuses an empty row and a row past the end of the array', () => {
    expect(() => softmax([])).toThrow(/at least one class/);
    expect(() => softmaxInto([1, 2, 3], 2, 2, new Float64Array(2))).toThrow(/outside/);
  });
});

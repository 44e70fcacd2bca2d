/**
 * Float64 reference implementations of the window ops, written as the definitions read (plain loops over
 * channels-last arrays), and central finite differences over them. Tests only: slow on purpose.
 */
import { conv2dOutShape, pool2dOutShape, type Conv2dAttrs, type Pool2dAttrs } from '../geometry';

export interface Arr {
  data: Float64Array;
  shape: number[];
}

const at4 = (s: readonly number[], b: number, h: number, w: number, c: number): number => ((b * s[1] + h) * s[2] + w) * s[3] + c;

export function conv2dRef(x: Arr, w: Arr, a: Conv2dAttrs): Arr {
  const ys = conv2dOutShape(x.shape, w.shape, a);
  const [B, H, W] = x.shape;
  const [kh, kw, cinG, Cout] = w.shape;
  const coutG = Cout / a.groups;
  const y = new Float64Array(ys.reduce((p, q) => p * q, 1));
  for (let b = 0; b < B; b++)
    for (let oh = 0; oh < ys[1]; oh++)
      for (let ow = 0; ow < ys[2]; ow++)
        for (let co = 0; co < Cout; co++) {
          const g = Math.floor(co / coutG);
          let acc = 0;
          for (let i = 0; i < kh; i++)
            for (let j = 0; j < kw; j++) {
              const h = oh * a.stride[0] - a.pad[0] + i * a.dilation[0];
              const ww = ow * a.stride[1] - a.pad[1] + j * a.dilation[1];
              if (h < 0 || h >= H || ww < 0 || ww >= W) continue;
              for (let ci = 0; ci < cinG; ci++) acc += x.data[at4(x.shape, b, h, ww, g * cinG + ci)] * w.data[((i * kw + j) * cinG + ci) * Cout + co];
            }
          y[at4(ys, b, oh, ow, co)] = acc;
        }
  return { data: y, shape: ys };
}

function pool(x: Arr, a: Pool2dAttrs, kind: 'avg' | 'max'): Arr {
  const ys = pool2dOutShape(x.shape, a);
  const [B, H, W, C] = x.shape;
  const y = new Float64Array(ys.reduce((p, q) => p * q, 1));
  for (let b = 0; b < B; b++)
    for (let oh = 0; oh < ys[1]; oh++)
      for (let ow = 0; ow < ys[2]; ow++)
        for (let c = 0; c < C; c++) {
          let acc = kind === 'max' ? -Infinity : 0;
          let n = 0;
          for (let i = 0; i < a.kernel[0]; i++)
            for (let j = 0; j < a.kernel[1]; j++) {
              const h = oh * a.stride[0] - a.pad[0] + i,
                ww = ow * a.stride[1] - a.pad[1] + j;
              if (h < 0 || h >= H || ww < 0 || ww >= W) continue;
              const v = x.data[at4(x.shape, b, h, ww, c)];
              acc = kind === 'max' ? Math.max(acc, v) : acc + v;
              n++;
            }
          y[at4(ys, b, oh, ow, c)] = kind === 'max' ? acc : acc / n;
        }
  return { data: y, shape: ys };
}

/** Average pool; padding is not counted. */
export const avgPoolRef = (x: Arr, a: Pool2dAttrs): Arr => pool(x, a, 'avg');
export const maxPoolRef = (x: Arr, a: Pool2dAttrs): Arr => pool(x, a, 'max');

/** Training-mode batch norm over the rows of [P, C] (biased variance), optional scale and shift. */
export function batchNormRef(x: Arr, eps: number, gamma?: Arr, beta?: Arr): Arr {
  const C = x.shape[x.shape.length - 1];
  const P = x.data.length / C;
  const y = new Float64Array(x.data.length);
  for (let c = 0; c < C; c++) {
    let mean = 0;
    for (let p = 0; p < P; p++) mean += x.data[p * C + c];
    mean /= P;
    let v = 0;
    for (let p = 0; p < P; p++) v += (x.data[p * C + c] - mean) ** 2;
    const inv = 1 / Math.sqrt(v / P + eps);
    for (let p = 0; p < P; p++) y[p * C + c] = (x.data[p * C + c] - mean) * inv * (gamma ? gamma.data[c] : 1) + (beta ? beta.data[c] : 0);
  }
  return { data: y, shape: [...x.shape] };
}

/** Central differences of `loss` w.r.t. every element of every input (float64). */
export function numericGradients(loss: (inputs: Arr[]) => number, inputs: Arr[], eps = 1e-6): Float64Array[] {
  return inputs.map((input) => {
    const g = new Float64Array(input.data.length);
    for (let k = 0; k < input.data.length; k++) {
      const keep = input.data[k];
      input.data[k] = keep + eps;
      const up = loss(inputs);
      input.data[k] = keep - eps;
      const down = loss(inputs);
      input.data[k] = keep;
      g[k] = (up - down) / (2 * eps);
    }
    return g;
  });
}

/** sum(y * r): a loss whose gradient w.r.t. y is r, so every output element is checked. */
export function dot(y: Arr, r: Float64Array): number {
  let s = 0;
  for (let k = 0; k < r.length; k++) s += y.data[k] * r[k];
  return s;
}

/** Deterministic values in [-1, 1) (a 32-bit LCG), float64. */
export function randomArr(shape: number[], seed: number): Arr {
  const n = shape.reduce((p, q) => p * q, 1);
  const data = new Float64Array(n);
  let s = seed >>> 0 || 1;
  for (let k = 0; k < n; k++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data[k] = s / 2 ** 31 - 1;
  }
  return { data, shape };
}

/** Largest |a - b| relative to max(1, |b|max): one number per comparison. */
export function maxRelError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let scale = 1;
  for (let k = 0; k < b.length; k++) scale = Math.max(scale, Math.abs(b[k]));
  let e = 0;
  for (let k = 0; k < b.length; k++) e = Math.max(e, Math.abs(a[k] - b[k]));
  return e / scale;
}

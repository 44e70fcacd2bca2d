/**
 * Window geometry of 2-D convolutions and pools, PyTorch convention: `pad` zero rows/columns on both sides,
 * `out = floor((in + 2 * pad - dilation * (k - 1) - 1) / stride) + 1`. Pure functions.
 */

export type Pair = [number, number];

/** Attributes of a 2-D convolution over `[B, H, W, C]` with weights `[kh, kw, Cin / groups, Cout]`. */
export interface Conv2dAttrs {
  stride: Pair;
  pad: Pair;
  dilation: Pair;
  groups: number;
}

/** Attributes of a 2-D pool over `[B, H, W, C]`. */
export interface Pool2dAttrs {
  kernel: Pair;
  stride: Pair;
  pad: Pair;
}

/** `n` -> [n, n]; a pair stays as it is. */
export const toPair = (v: number | Pair): Pair => (typeof v === 'number' ? [v, v] : v);

export function outSize(size: number, kernel: number, stride: number, pad: number, dilation = 1): number {
  return Math.floor((size + 2 * pad - dilation * (kernel - 1) - 1) / stride) + 1;
}

/** `[B, Ho, Wo, Cout]` of a convolution; throws on inconsistent shapes, naming them. */
export function conv2dOutShape(x: readonly number[], w: readonly number[], a: Conv2dAttrs): [number, number, number, number] {
  const [B, H, W, C] = x;
  const [kh, kw, cinPerGroup, cout] = w;
  if (x.length !== 4 || w.length !== 4) throw new Error(`conv2d: expected x [B, H, W, C] and w [kh, kw, Cin/g, Cout], got x [${x}] and w [${w}]`);
  if (C !== cinPerGroup * a.groups) throw new Error(`conv2d: x has ${C} channels but w [${w}] with ${a.groups} groups expects ${cinPerGroup * a.groups}`);
  if (cout % a.groups !== 0) throw new Error(`conv2d: Cout ${cout} is not divisible by groups ${a.groups}`);
  const Ho = outSize(H, kh, a.stride[0], a.pad[0], a.dilation[0]);
  const Wo = outSize(W, kw, a.stride[1], a.pad[1], a.dilation[1]);
  if (Ho < 1 || Wo < 1) throw new Error(`conv2d: input [${x}] is too small for kernel [${kh}, ${kw}] (dilation ${a.dilation})`);
  return [B, Ho, Wo, cout];
}

export function pool2dOutShape(x: readonly number[], a: Pool2dAttrs): [number, number, number, number] {
  const [B, H, W, C] = x;
  if (x.length !== 4) throw new Error(`pool2d: expected x [B, H, W, C], got [${x}]`);
  if (2 * a.pad[0] > a.kernel[0] || 2 * a.pad[1] > a.kernel[1]) throw new Error(`pool2d: pad ${a.pad} must be at most half the kernel ${a.kernel}`);
  const Ho = outSize(H, a.kernel[0], a.stride[0], a.pad[0]);
  const Wo = outSize(W, a.kernel[1], a.stride[1], a.pad[1]);
  if (Ho < 1 || Wo < 1) throw new Error(`pool2d: input [${x}] is too small for kernel ${a.kernel}`);
  return [B, Ho, Wo, C];
}

/** 'Same-size' padding of a kernel at stride 1, as DARTS: `dilation * (k - 1) / 2`. */
export function samePad(kernel: number, dilation = 1): number {
  return (dilation * (kernel - 1)) / 2;
}

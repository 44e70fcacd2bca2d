/**
 * The optional native addon `pvnas_torch` (libs/nas/native): libtorch kernels over Float32Arrays. Built by
 * `npm install` when libtorch is present (Debian: `apt-get install libtorch-dev`), otherwise absent; loading
 * never throws, it says why the addon is not there.
 */
import * as path from 'node:path';
import { loadOptionalAddon, type AddonLoad } from '@pvnas/base/node';
import type { Pair } from './geometry';

type F32 = Float32Array;
type Shape4 = readonly number[];
/** float32, int32 or bool (one byte) storage. */
type AnyValues = Float32Array | Int32Array | Uint8Array;

/** The functions of `libs/nas/native/src/addon.cc`; shapes are channels-last, see there. */
export interface TorchAddon {
  conv2d(x: F32, xs: Shape4, w: F32, ws: Shape4, y: F32, ys: Shape4, stride: Pair, pad: Pair, dilation: Pair, groups: number): void;
  conv2dBackward(
    dy: F32,
    dys: Shape4,
    x: F32,
    xs: Shape4,
    w: F32,
    ws: Shape4,
    dx: F32 | null,
    dw: F32 | null,
    stride: Pair,
    pad: Pair,
    dilation: Pair,
    groups: number,
  ): void;
  avgPool(x: F32, xs: Shape4, y: F32, ys: Shape4, kernel: Pair, stride: Pair, pad: Pair): void;
  avgPoolBackward(dy: F32, dys: Shape4, x: F32, xs: Shape4, dx: F32, kernel: Pair, stride: Pair, pad: Pair): void;
  maxPool(x: F32, xs: Shape4, y: F32, ys: Shape4, kernel: Pair, stride: Pair, pad: Pair): void;
  maxPoolBackward(dy: F32, dys: Shape4, x: F32, xs: Shape4, dx: F32, kernel: Pair, stride: Pair, pad: Pair): void;
  batchNorm(x: F32, rows: number, channels: number, gamma: F32 | null, beta: F32 | null, y: F32, mean: F32, invstd: F32, eps: number): void;
  batchNormBackward(
    dy: F32,
    x: F32,
    rows: number,
    channels: number,
    mean: F32,
    invstd: F32,
    gamma: F32 | null,
    dx: F32,
    dgamma: F32 | null,
    dbeta: F32 | null,
    eps: number,
  ): void;
  unary(op: string, x: AnyValues, shape: Shape4, y: AnyValues): void;
  binary(op: string, a: AnyValues, as: Shape4, b: AnyValues, bs: Shape4, y: AnyValues, ys: Shape4): void;
  reduce(op: string, x: AnyValues, xs: Shape4, axes: readonly number[], y: AnyValues): void;
  addN(xs: F32[], shape: Shape4, y: F32): void;
  transpose(x: AnyValues, xs: Shape4, perm: readonly number[], y: AnyValues): void;
  slice(x: AnyValues, xs: Shape4, begin: readonly number[], size: readonly number[], y: AnyValues): void;
  pad(x: AnyValues, xs: Shape4, before: readonly number[], after: readonly number[], value: number, y: AnyValues, ys: Shape4): void;
  concat(xs: AnyValues[], shapes: Shape4[], axis: number, y: AnyValues, ys: Shape4): void;
  reverse(x: AnyValues, xs: Shape4, axes: readonly number[], y: AnyValues): void;
  tile(x: AnyValues, xs: Shape4, reps: readonly number[], y: AnyValues, ys: Shape4): void;
  batchMatMul(a: F32, as: Shape4, b: F32, bs: Shape4, transposeA: boolean, transposeB: boolean, y: F32, ys: Shape4): void;
  softmax(x: F32, xs: Shape4, y: F32): void;
  select(condition: AnyValues, cs: Shape4, t: AnyValues, e: AnyValues, shape: Shape4, y: AnyValues): void;
  weightedSum(ys: F32[], shape: Shape4, weights: number[], y: F32): void;
  weightedSumBackward(dy: F32, ys: F32[], shape: Shape4, weights: number[], dys: F32[], dw: F32): void;
  /** Sets the intra-op thread count of large kernels (and libtorch's) when given; returns the count in use. */
  threads(n?: number): number;
  /** Sets the element count from which a kernel runs on several threads when given; returns it. */
  parallelMin(n?: number): number;
  version(): { torch: string; config: string };
}

/** `libs/nas/native/build/Release/pvnas_torch.node`, or `PVNAS_TORCH_ADDON`. */
export function addonPath(): string {
  return process.env.PVNAS_TORCH_ADDON || path.resolve(__dirname, '..', '..', 'native', 'build', 'Release', 'pvnas_torch.node');
}

/**
 * OpenMP reads its settings once, when libtorch's libgomp loads with the addon: idle threads must sleep, not
 * spin on cores that other processes (or our own loader workers) need. Measured: with one other busy
 * process, spinning made a 2-thread search step 3-4x slower (docs/decisions.md, tools/bench threads).
 * (PVNAS_OMP_SPIN=1 keeps OpenMP's default, for the benchmark's "before".)
 */
function beforeLoad(): void {
  if (!process.env.PVNAS_OMP_SPIN) process.env.OMP_WAIT_POLICY ??= 'PASSIVE';
}

let configured = false;

export function loadTorchAddon(): AddonLoad<TorchAddon> {
  const load = loadOptionalAddon<TorchAddon>(addonPath(), 'install libtorch: apt-get install libtorch-dev', beforeLoad);
  if (load.ok && !configured && process.env.PVNAS_PARALLEL_MIN) load.addon.parallelMin(Number(process.env.PVNAS_PARALLEL_MIN));
  configured = true;
  return load;
}

/**
 * The native half of the `torch` backend, `pvnas_torch` (libs/nas/native): tensors live in libtorch on the
 * backend's device and JavaScript holds integer handles to them. Built by `npm install` against the libtorch
 * it finds (libs/nas/native/find-libtorch.js: `LIBTORCH`, a PyTorch installation, Debian's libtorch-dev);
 * otherwise absent. Loading never throws: it says why the addon is not there.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadOptionalAddon, type AddonLoad } from '@pvnas/base/node';

/** A tensor handle of the addon (a live at::Tensor); -1 where an optional output is absent. */
export type Handle = number;
export type NativeDtype = 'float32' | 'int32' | 'bool';
type Ints = readonly number[];
type Pair = readonly [number, number] | readonly number[];
/** [top, bottom, left, right] */
type Pads = readonly number[];

/** The functions of `libs/nas/native/src/{addon,kernels}.cc`. Shapes are channels-last, see there. */
export type DistBackend = 'gloo' | 'nccl';

export interface TorchNative {
  fromHost(values: Float32Array | Int32Array | Uint8Array, shape: Ints): Handle;
  toHost(h: Handle): Float32Array | Int32Array | Uint8Array;
  free(h: Handle): void;
  live(): number;
  /** Bytes of the distinct storages behind the live handles. */
  bytes(): number;
  shapeOf(h: Handle): number[];
  view(h: Handle, shape: Ints): Handle;
  setDevice(device: string): string;
  device(): string;
  synchronize(): void;
  unary(op: string, x: Handle): Handle;
  binary(op: string, a: Handle, b: Handle, dtype: NativeDtype): Handle;
  cast(x: Handle, dtype: NativeDtype): Handle;
  where(condition: Handle, t: Handle, e: Handle): Handle;
  fill(shape: Ints, value: number, dtype: NativeDtype): Handle;
  randomUniform(shape: Ints, seed: number): Handle;
  oneHot(indices: Handle, depth: number, on: number, off: number, dtype: NativeDtype): Handle;
  reduce(op: 'sum' | 'mean' | 'max' | 'min', x: Handle, axes: Ints, keepDims: boolean, dtype: NativeDtype): Handle;
  argMax(x: Handle, axis: number): Handle;
  addN(xs: Handle[]): Handle;
  transpose(x: Handle, perm: Ints): Handle;
  stridedSlice(x: Handle, begin: Ints, end: Ints, strides: Ints): Handle;
  pad(x: Handle, before: Ints, after: Ints, value: number): Handle;
  concat(xs: Handle[], axis: number): Handle;
  reverse(x: Handle, axes: Ints): Handle;
  tile(x: Handle, reps: Ints): Handle;
  matMul(a: Handle, b: Handle, transposeA: boolean, transposeB: boolean): Handle;
  softmax(x: Handle, dim: number): Handle;
  /** Sets the memory format convolutions run in when given; returns it. */
  convFormat(format?: 'channels-last' | 'nchw'): 'channels-last' | 'nchw';
  conv2d(x: Handle, w: Handle, stride: Pair, pads: Pads, dilation: Pair, groups: number): Handle;
  conv2dBackward(dy: Handle, x: Handle, w: Handle, stride: Pair, pad: Pair, dilation: Pair, groups: number, wantDx: boolean, wantDw: boolean): [Handle, Handle];
  pool(kind: 'avg' | 'max', x: Handle, kernel: Pair, stride: Pair, pads: Pads): Handle;
  poolBackward(kind: 'avg' | 'max', dy: Handle, x: Handle, kernel: Pair, stride: Pair, pad: Pair): Handle;
  batchNorm(x: Handle, gamma: Handle | null, beta: Handle | null, eps: number): [Handle, Handle, Handle];
  batchNormBackward(dy: Handle, x: Handle, mean: Handle, invstd: Handle, gamma: Handle | null, eps: number): [Handle, Handle, Handle];
  normalize(x: Handle, mean: Handle, variance: Handle, offset: Handle | null, scale: Handle | null, eps: number): Handle;
  weightedSum(ys: Handle[], w: Handle, indices: Ints): Handle;
  weightedSumBackward(dy: Handle, ys: Handle[], w: Handle, indices: Ints): Handle[];
  /** c10d (distributed.cc): a FileStore at storeFile (when not '') or a TCPStore rank 0 serves at masterAddr:masterPort; a Gloo (CPU) or NCCL (GPU) process group over it. */
  distInit(rank: number, worldSize: number, masterAddr: string, masterPort: number, timeoutMs: number, backend: DistBackend, storeFile: string): void;
  /** Each tensor reduced over the ranks (one flat bucket), as new handles. */
  allReduce(xs: Handle[], op: 'mean' | 'sum' | 'max'): Handle[];
  broadcast(xs: Handle[], root: number): Handle[];
  barrier(): void;
  /** `available`: Gloo is there; `backends`: what this build can use; `backend`: the joined group's. */
  distInfo(): { available: boolean; backends: DistBackend[]; backend: DistBackend | null; rank: number; worldSize: number };
  /** Sets the intra-op thread count of large kernels (and libtorch's) when given; returns the count in use. */
  threads(n?: number): number;
  /** Sets the element count from which a kernel runs on several threads when given; returns it. */
  parallelMin(n?: number): number;
  version(): { torch: string; config: string; cuda: boolean; cudnn: boolean; gpus: number };
}

/** What the build used, written by build-native.js beside the addon (`libtorch.json`). */
export interface LibtorchBuild {
  source: 'LIBTORCH' | 'pytorch' | 'debian';
  root: string;
  include: string;
  lib: string;
  version: string;
  cuda: string | null;
  cxx11Abi: boolean;
}

/** `libs/nas/native/build/Release/pvnas_torch.node`, or `PVNAS_TORCH_ADDON`. */
export function addonPath(): string {
  return process.env.PVNAS_TORCH_ADDON || path.resolve(__dirname, '..', '..', '..', 'native', 'build', 'Release', 'pvnas_torch.node');
}

/** The build record beside the addon, or undefined for an addon built before it existed. */
export function libtorchBuild(): LibtorchBuild | undefined {
  const file = path.join(path.dirname(addonPath()), 'libtorch.json');
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as LibtorchBuild) : undefined;
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

export function loadTorchAddon(): AddonLoad<TorchNative> {
  const load = loadOptionalAddon<TorchNative>(addonPath(), 'install libtorch: apt-get install libtorch-dev, or a PyTorch, or set LIBTORCH', beforeLoad);
  if (load.ok && !configured && process.env.PVNAS_PARALLEL_MIN) load.addon.parallelMin(Number(process.env.PVNAS_PARALLEL_MIN));
  configured = true;
  return load;
}

/**
 * `TorchBackend`: a tfjs `KernelBackend` whose data ids map to tensors owned by libtorch (native.ts), on the
 * CPU or a CUDA GPU. Data crosses to the host only at the edges: `write`/`move` (input batches, parameters
 * loaded from files; tensors of one repeated value are filled on the device instead) and `read`/`readSync`
 * (metrics, checkpoints), each counted in `stats`. The kernels (kernels/*.ts) call libtorch on handles;
 * reshapes share the data id as tfjs's own backends do (no copy).
 * A kernel the backend lacks runs through tfjs's cpu kernel explicitly: inputs read, outputs written back,
 * counted per kernel name in `stats.fallbacks` (and refused when PVNAS_TORCH_FALLBACK=error).
 */
import { DataStorage, engine, KernelBackend, util, type backend_util, type DataId, type DataType, type TensorInfo } from '@tensorflow/tfjs-core';
import type { Handle, NativeDtype, TorchNative } from './native';

interface Entry {
  /** The stored tensor: contiguous, of `shape`. */
  handle: Handle;
  shape: number[];
  dtype: NativeDtype;
  refCount: number;
  /** Views of the storage under other shapes (a tensor reshaped by tfjs keeps its data id), by shape. */
  views?: Map<string, Handle>;
}

const NATIVE_DTYPES = new Set<DataType>(['float32', 'int32', 'bool']);

function hostArray(values: backend_util.BackendValues, dtype: DataType, what: string): Float32Array | Int32Array | Uint8Array {
  if (!NATIVE_DTYPES.has(dtype)) throw new Error(`torch backend: ${what} of dtype ${dtype}; it holds float32, int32 and bool tensors only`);
  if (dtype === 'float32') return values instanceof Float32Array ? values : Float32Array.from(values as ArrayLike<number>);
  if (dtype === 'int32') return values instanceof Int32Array ? values : Int32Array.from(values as ArrayLike<number>);
  return values instanceof Uint8Array ? values : Uint8Array.from(values as ArrayLike<number>);
}

function uniform(a: Float32Array | Int32Array | Uint8Array): boolean {
  const v = a[0];
  for (let i = 1; i < a.length; i++) if (a[i] !== v) return false;
  return !Number.isNaN(v);
}

export class TorchBackend extends KernelBackend {
  readonly data: DataStorage<Entry>;
  /** Host crossings and CPU fallbacks since the backend started (or `resetStats`). */
  readonly stats = { hostReads: 0, hostWrites: 0, constants: 0, fallbacks: new Map<string, number>() };
  /** Checks each kernel output's stored shape against tfjs's (PVNAS_TORCH_CHECK=1; the tests set it). */
  private readonly check = process.env.PVNAS_TORCH_CHECK === '1';

  constructor(readonly native: TorchNative) {
    super();
    this.data = new DataStorage(this, engine());
  }

  /** The device tensors are made on: `cpu`, `cuda:0`, ... */
  device(): string {
    return this.native.device();
  }

  resetStats(): void {
    this.stats.hostReads = 0;
    this.stats.hostWrites = 0;
    this.stats.constants = 0;
    this.stats.fallbacks.clear();
  }

  override write(values: backend_util.BackendValues, shape: number[], dtype: DataType): DataId {
    const dataId = {};
    this.move(dataId, values, shape, dtype, 1);
    return dataId;
  }

  /**
   * A tensor of one repeated value (the scalars tfjs makes of numbers in `tf.mul(x, 0.5)`, a step's learning
   * rate, the zeros and ones its gradients start from) is filled on the device from that value, a kernel
   * argument: no host buffer is copied, nothing waits. Any other tensor is copied from the host (an input
   * batch, loaded weights).
   */
  override move(dataId: DataId, values: backend_util.BackendValues, shape: number[], dtype: DataType, refCount: number): void {
    const host = hostArray(values, dtype, `a tensor [${shape}]`);
    let handle: Handle;
    if (host.length > 0 && uniform(host)) {
      this.stats.constants++;
      handle = this.native.fill(shape, host[0], dtype as NativeDtype);
    } else {
      this.stats.hostWrites++;
      handle = this.native.fromHost(host, shape);
    }
    this.data.set(dataId, { handle, shape: [...shape], dtype: dtype as NativeDtype, refCount });
  }

  override readSync(dataId: DataId): backend_util.BackendValues {
    this.stats.hostReads++;
    const e = this.entry(dataId);
    const a = this.native.toHost(e.handle);
    // the addon's arrays belong to the realm it loaded in; tfjs checks `instanceof` against this one (jest's vm contexts)
    if (e.dtype === 'float32') return new Float32Array(a.buffer, a.byteOffset, a.length);
    if (e.dtype === 'int32') return new Int32Array(a.buffer, a.byteOffset, a.length);
    return new Uint8Array(a.buffer, a.byteOffset, a.length);
  }

  override async read(dataId: DataId): Promise<backend_util.BackendValues> {
    return this.readSync(dataId);
  }

  override refCount(dataId: DataId): number {
    return this.data.has(dataId) ? this.data.get(dataId).refCount : 0;
  }

  override incRef(dataId: DataId): void {
    this.entry(dataId).refCount++;
  }

  override disposeData(dataId: DataId, force = false): boolean {
    if (!this.data.has(dataId)) return true;
    const e = this.data.get(dataId);
    e.refCount--;
    if (!force && e.refCount > 0) return false;
    this.native.free(e.handle);
    e.views?.forEach((h) => this.native.free(h));
    this.data.delete(dataId);
    return true;
  }

  override numDataIds(): number {
    return this.data.numDataIds();
  }

  /**
   * tfjs's engine counts tensors and their bytes itself (per tensor: a reshape counts again although it shares
   * the data); this adds what libtorch holds: live handles and the bytes of their distinct storages.
   */
  override memory(): { unreliable: boolean; reasons?: string[] } & { numBytesInTorch: number; liveHandles: number; device: string } {
    return { unreliable: false, numBytesInTorch: this.native.bytes(), liveHandles: this.native.live(), device: this.device() };
  }

  override floatPrecision(): 32 {
    return 32;
  }

  override epsilon(): number {
    return 1e-7;
  }

  override timerAvailable(): boolean {
    return true;
  }

  override async time(f: () => void): Promise<{ kernelMs: number }> {
    const t0 = performance.now();
    f();
    this.native.synchronize();
    return { kernelMs: performance.now() - t0 };
  }

  private entry(dataId: DataId): Entry {
    if (!this.data.has(dataId)) throw new Error('torch backend: this tensor has no data here (disposed, or made on another backend and not moved)');
    return this.data.get(dataId);
  }

  /** The handle of a kernel input, viewed under the tensor's shape (a reshaped tensor shares its data id). */
  handle(t: TensorInfo): Handle {
    const e = this.entry(t.dataId);
    if (util.arraysEqual(e.shape, t.shape)) return e.handle;
    const key = t.shape.join(',');
    e.views ??= new Map();
    let h = e.views.get(key);
    if (h === undefined) {
      h = this.native.view(e.handle, t.shape);
      e.views.set(key, h);
    }
    return h;
  }

  /** A new tensor info owning `handle` (a kernel's output). */
  output(handle: Handle, shape: number[], dtype: DataType): TensorInfo {
    if (this.check) {
      const stored = this.native.shapeOf(handle);
      if (!util.arraysEqual(stored, shape)) {
        this.native.free(handle);
        throw new Error(`torch backend: a kernel made [${stored}] where tfjs expects [${shape}]`);
      }
    }
    const dataId = {};
    this.data.set(dataId, { handle, shape: [...shape], dtype: dtype as NativeDtype, refCount: 1 });
    return { dataId, shape, dtype };
  }

  /** `t`'s data under another shape: the same data id, one more reference (tfjs's Reshape convention). */
  alias(t: TensorInfo, shape: number[]): TensorInfo {
    this.incRef(t.dataId);
    return { dataId: t.dataId, shape, dtype: t.dtype };
  }

  /** Makes a tensor from host values (the fallback's outputs, small constants). */
  fromHost(values: backend_util.BackendValues, shape: number[], dtype: DataType): TensorInfo {
    this.stats.hostWrites++;
    return this.output(this.native.fromHost(hostArray(values, dtype, `a tensor [${shape}]`), shape), shape, dtype);
  }

  /** The CPU fallbacks counted since the last call, by kernel, most frequent first; clears the count. */
  takeFallbacks(): Array<[string, number]> {
    const list = [...this.stats.fallbacks].sort((a, b) => b[1] - a[1]);
    this.stats.fallbacks.clear();
    return list;
  }

  /** Counts one CPU fallback of `kernelName`; throws when they are refused. */
  noteFallback(kernelName: string): void {
    if (process.env.PVNAS_TORCH_FALLBACK === 'error') {
      throw new Error(`torch backend: no kernel ${kernelName} (PVNAS_TORCH_FALLBACK=error refuses the CPU fallback; unset it to run it on the CPU)`);
    }
    this.stats.fallbacks.set(kernelName, (this.stats.fallbacks.get(kernelName) ?? 0) + 1);
  }

  override dispose(): void {
    // tensors still alive belong to the engine, which disposes them through disposeData
  }
}

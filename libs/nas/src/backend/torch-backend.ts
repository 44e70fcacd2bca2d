/**
 * `TorchBackend`, the `torch` backend's class: tfjs's cpu backend (JavaScript storage, every stock kernel) plus a
 * pool of output buffers; its own kernels are torch-kernels.ts and torch-stock-kernels.ts. A fresh multi-megabyte
 * ArrayBuffer costs a page fault per 4 KiB on first touch (measured: allocating dominated elementwise ops,
 * ~0.4 ms of a 0.5 ms multiply on 1.6 MB), while V8 frees disposed buffers only at its next GC. Buffers this
 * backend allocated are therefore recycled as soon as no tensor references them any more, like PyTorch's
 * allocator reuses freed blocks.
 *
 * Safety: a buffer is recycled only when no live tensor data references it (views such as the cpu kernels'
 * subarray slices count too), and reads (`dataSync`, `data`) of pooled storage return copies, so an array a
 * caller holds is never overwritten.
 */
import * as os from 'node:os';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { backend_util, DataId, DataType } from '@tensorflow/tfjs-core';

type Values = Float32Array | Int32Array | Uint8Array;

/**
 * Pooled bytes kept at most: PVNAS_POOL_MB, default a quarter of the machine's memory. A training step
 * without recomputation releases its whole working set at once; the next step reuses it only if the pool
 * holds it (measured: 4.7 s -> 3.1 s per supernet step at C=16, 8x112x112, batch 1, pool 1 GiB -> 12 GiB).
 * Half the memory was too much: a batch-8 search step with recomputation then ran out of memory.
 */
function poolLimitBytes(): number {
  const mb = Number(process.env.PVNAS_POOL_MB);
  return Number.isFinite(mb) && mb >= 0 && process.env.PVNAS_POOL_MB !== '' && process.env.PVNAS_POOL_MB !== undefined ? mb * 2 ** 20 : os.totalmem() / 4;
}

export class TorchBackend extends MathBackendCPU {
  private readonly owned = new WeakSet<ArrayBuffer>();
  private readonly refs = new Map<ArrayBuffer, number>();
  private readonly pool = new Map<number, ArrayBuffer[]>();
  private pooledBytes = 0;
  private readonly limit = poolLimitBytes();
  /** Allocations served from the pool / fresh, for tests and benchmarks. */
  readonly stats = { reused: 0, fresh: 0 };

  constructor() {
    super();
    // the cpu backend's first write advises installing tfjs-node; here libtorch does the heavy work
    (this as unknown as { firstUse: boolean }).firstUse = false;
  }

  /** Uninitialised storage for `n` elements of `dtype` (every element is written by the kernel). */
  alloc(dtype: DataType, n: number): Values {
    const width = dtype === 'bool' ? 1 : 4;
    const bytes = Math.max(width * n, 8);
    const free = this.pool.get(bytes);
    let buffer = free?.pop();
    if (buffer) {
      this.pooledBytes -= bytes;
      this.stats.reused++;
    } else {
      buffer = Buffer.allocUnsafeSlow(bytes).buffer as ArrayBuffer;
      this.owned.add(buffer);
      this.stats.fresh++;
    }
    if (dtype === 'float32') return new Float32Array(buffer, 0, n);
    if (dtype === 'int32') return new Int32Array(buffer, 0, n);
    if (dtype === 'bool') return new Uint8Array(buffer, 0, n);
    throw new Error(`torch backend: no storage for dtype ${dtype}`);
  }

  private track(values: backend_util.BackendValues | undefined): void {
    if (!values || !ArrayBuffer.isView(values)) return;
    const b = values.buffer as ArrayBuffer;
    if (this.owned.has(b)) this.refs.set(b, (this.refs.get(b) ?? 0) + 1);
  }

  private release(values: backend_util.BackendValues | undefined): void {
    if (!values || !ArrayBuffer.isView(values)) return;
    const b = values.buffer as ArrayBuffer;
    const n = this.refs.get(b);
    if (n === undefined) return;
    if (n > 1) {
      this.refs.set(b, n - 1);
      return;
    }
    this.refs.delete(b);
    if (this.pooledBytes + b.byteLength > this.limit) return; // left to the GC
    const list = this.pool.get(b.byteLength) ?? [];
    list.push(b);
    this.pool.set(b.byteLength, list);
    this.pooledBytes += b.byteLength;
  }

  override write(values: backend_util.BackendValues, shape: number[], dtype: DataType): DataId {
    const id = super.write(values, shape, dtype);
    this.track(values);
    return id;
  }

  override move(dataId: DataId, values: backend_util.BackendValues, shape: number[], dtype: DataType, refCount: number): void {
    super.move(dataId, values, shape, dtype, refCount);
    this.track(values);
  }

  override disposeData(dataId: DataId, force = false): boolean {
    const entry = this.data.get(dataId);
    const done = super.disposeData(dataId, force);
    if (entry && !this.data.has(dataId)) this.release(entry.values);
    return done;
  }

  private copyIfPooled(v: backend_util.BackendValues): backend_util.BackendValues {
    return ArrayBuffer.isView(v) && this.owned.has(v.buffer as ArrayBuffer) ? (v as Values).slice() : v;
  }

  override readSync(dataId: DataId): backend_util.BackendValues {
    return this.copyIfPooled(super.readSync(dataId));
  }

  override async read(dataId: DataId): Promise<backend_util.BackendValues> {
    return this.copyIfPooled(await super.read(dataId));
  }

  /** Drops every pooled buffer (memory goes back at the next GC). */
  trim(): void {
    this.pool.clear();
    this.pooledBytes = 0;
  }

  override dispose(): void {
    this.trim();
    super.dispose();
  }
}

/**
 * Data-parallel collectives over c10d (the engine PyTorch's DDP uses), through the torch backend's addon: a
 * TCPStore rendezvous (rank 0 serves it on `masterAddr:masterPort`, like torchrun's) and a process group: Gloo on the
 * CPU, NCCL for CUDA tensors when the addon has it. Like torch.distributed, one default group per process: the
 * trainers ask `processGroup()` where they stand and call the collectives below, which are no-ops in a process that
 * never joined one (world size 1). Tensors go in and come back as new tensors (one flat bucket per call).
 * Like PyTorch's, the rendezvous has no authentication: bind it to a trusted network only.
 */
import { deriveSeed } from '@pvnas/base';
import * as tf from '@tensorflow/tfjs-core';
import { TorchBackend } from '../backend/torch/backend';
import type { DistBackend } from '../backend/torch/native';

export type { DistBackend };

export interface ProcessGroupOptions {
  rank: number;
  worldSize: number;
  /** Where rank 0 listens (default 127.0.0.1: one node). */
  masterAddr?: string;
  /** Rank 0's rendezvous port (default 29500, torchrun's); unused with `storeFile`. */
  masterPort?: number;
  /** A collective or the rendezvous that waits longer fails (default 10 min, NCCL's default in PyTorch). */
  timeoutMs?: number;
  /** Default: nccl when the tensors live on a GPU and the addon has NCCL, else gloo. */
  backend?: DistBackend;
  /**
   * Rendezvous through this file instead of a TCP port (one node, or a shared file system): every rank names the
   * same new file. No port is opened for the rendezvous; the collectives' connections bind to masterAddr.
   */
  storeFile?: string;
}

export const DEFAULT_COLLECTIVE_TIMEOUT_MS = 10 * 60_000;

interface Current extends Required<ProcessGroupOptions> {
  calls: number;
  ms: number;
}
let current: Current | undefined;

function torch(what: string): TorchBackend {
  const b = tf.backend();
  if (!(b instanceof TorchBackend)) throw new Error(`${what}: data-parallel training needs the torch backend (--backend torch); this is ${tf.getBackend()}`);
  return b;
}

/** Joins the process group; returns when every rank has joined (or throws after the timeout). */
export function initProcessGroup(o: ProcessGroupOptions): void {
  const b = torch('initProcessGroup');
  const info = b.native.distInfo();
  if (info.backends.length === 0)
    throw new Error('initProcessGroup: the torch addon was built without c10d collectives: apt-get install libgloo-dev, then npm run build:native');
  if (!(Number.isInteger(o.rank) && o.rank >= 0 && o.rank < o.worldSize)) throw new Error(`initProcessGroup: rank ${o.rank} is not in [0, ${o.worldSize})`);
  const backend = o.backend ?? (b.native.device().startsWith('cuda') && info.backends.includes('nccl') ? 'nccl' : 'gloo');
  if (!info.backends.includes(backend)) throw new Error(`initProcessGroup: this torch addon has no ${backend} (it has ${info.backends.join(', ') || 'none'})`);
  const full: Required<ProcessGroupOptions> = {
    rank: o.rank,
    worldSize: o.worldSize,
    masterAddr: o.masterAddr ?? '127.0.0.1',
    masterPort: o.masterPort ?? 29500,
    timeoutMs: o.timeoutMs ?? DEFAULT_COLLECTIVE_TIMEOUT_MS,
    storeFile: o.storeFile ?? '',
    backend,
  };
  try {
    b.native.distInit(full.rank, full.worldSize, full.masterAddr, full.masterPort, full.timeoutMs, backend, full.storeFile);
  } catch (e) {
    throw new Error(
      `rank ${o.rank} of ${o.worldSize} could not join the process group at ${full.storeFile ? `file ${full.storeFile}` : `${full.masterAddr}:${full.masterPort}`} within ${full.timeoutMs / 1000} s (did every rank start? is the rendezvous reachable?): ${(e as Error).message}`,
      { cause: e },
    );
  }
  current = { ...full, calls: 0, ms: 0 };
}

/** This process's place: rank 0 of 1 (no backend) before `initProcessGroup`. */
export function processGroup(): { rank: number; worldSize: number; backend: DistBackend | null } {
  return current ? { rank: current.rank, worldSize: current.worldSize, backend: current.backend } : { rank: 0, worldSize: 1, backend: null };
}

/** Collective calls made and the milliseconds spent in them (including waiting for the slowest rank). */
export function collectiveStats(): { calls: number; ms: number } {
  return current ? { calls: current.calls, ms: current.ms } : { calls: 0, ms: 0 };
}

function collective(what: string, ts: tf.Tensor[], run: (b: TorchBackend, handles: number[]) => number[]): tf.Tensor[] {
  if (!current) throw new Error(`${what}: no process group (initProcessGroup first)`);
  if (ts.length === 0) return [];
  const b = torch(what);
  const t0 = performance.now();
  let out: number[];
  try {
    out = run(
      b,
      ts.map((t) => b.handle(t)),
    );
  } catch (e) {
    throw new Error(`${what} on rank ${current.rank} of ${current.worldSize} failed (another rank died or timed out?): ${(e as Error).message}`, { cause: e });
  } finally {
    current.calls++;
    current.ms += performance.now() - t0;
  }
  return out.map((h, i) => tf.engine().makeTensorFromTensorInfo(b.output(h, [...ts[i].shape], 'float32')));
}

/** The mean over the ranks of each tensor (float32), as new tensors. */
export function allReduceMean(ts: tf.Tensor[]): tf.Tensor[] {
  return collective('allReduceMean', ts, (b, hs) => b.native.allReduce(hs, 'mean'));
}

/** The sum over the ranks of each tensor (float32), as new tensors. */
export function allReduceSum(ts: tf.Tensor[]): tf.Tensor[] {
  return collective('allReduceSum', ts, (b, hs) => b.native.allReduce(hs, 'sum'));
}

/** `root`'s values of each tensor (float32), on every rank, as new tensors. */
export function broadcastFrom(ts: tf.Tensor[], root = 0): tf.Tensor[] {
  return collective('broadcastFrom', ts, (b, hs) => b.native.broadcast(hs, root));
}

/** Gives every variable rank `root`'s value (same initial weights and alphas on every replica). No-op alone. */
export function syncVariables(vars: tf.Variable[], root = 0): void {
  if (processGroup().worldSize === 1) return;
  const values = broadcastFrom(vars, root);
  vars.forEach((v, i) => v.assign(values[i]));
  tf.dispose(values);
}

/**
 * The gradients averaged over the ranks (DDP's all-reduce between backward and step), the inputs disposed; the
 * same tensors in a process alone.
 */
export function averageGradients(grads: tf.Tensor[]): tf.Tensor[] {
  if (processGroup().worldSize === 1) return grads;
  const out = allReduceMean(grads);
  tf.dispose(grads);
  return out;
}

/** Sets each variable to its mean over the ranks (BN running statistics before validation and checkpoints). */
export function averageVariables(vars: tf.Variable[]): void {
  if (processGroup().worldSize === 1 || vars.length === 0) return;
  const means = allReduceMean(vars);
  vars.forEach((v, i) => v.assign(means[i]));
  tf.dispose(means);
}

/** Each scalar averaged over the ranks, the inputs disposed (the step's metrics); the same scalars alone. */
export function meanOverRanks<T extends Record<string, tf.Scalar>>(scalars: T): T {
  if (processGroup().worldSize === 1) return scalars;
  const keys = Object.keys(scalars);
  const stacked = tf.stack(keys.map((k) => scalars[k]));
  const [mean] = allReduceMean([stacked]);
  const parts = tf.unstack(mean) as tf.Scalar[];
  tf.dispose([stacked, mean, ...Object.values(scalars)]);
  return Object.fromEntries(keys.map((k, i) => [k, parts[i]])) as T;
}

/**
 * The seed of a step's random masks (dropout, drop-path) on this replica: the step's seed alone, and a different
 * one on each rank of a group (the same masks on every rank would correlate the replicas' batches).
 */
export function replicaSeed(seed: number, step: number): number {
  const { rank, worldSize } = processGroup();
  return worldSize === 1 ? deriveSeed(seed, 'step', step) : deriveSeed(seed, 'step', step, 'rank', rank);
}

/** Every rank takes rank 0's values of a network's parameters and statistics (a new run's start; a no-op alone). */
export function syncParams(params: ReadonlyArray<{ variable: tf.Variable }>): void {
  syncVariables(params.map((p) => p.variable));
}

/** A network's BN running statistics (its non-trainable parameters) set to their mean over the ranks; a no-op alone. */
export function averageStatistics(params: ReadonlyArray<{ variable: tf.Variable; trainable: boolean }>): void {
  averageVariables(params.filter((p) => !p.trainable).map((p) => p.variable));
}

/** Numbers summed over the ranks (counts, sums of losses); the same numbers alone. */
export function sumOverRanks(xs: number[]): number[] {
  if (processGroup().worldSize === 1 || xs.length === 0) return xs;
  return tf.tidy(() => {
    const [s] = allReduceSum([tf.tensor1d(xs, 'float32')]);
    return Array.from(s.dataSync());
  });
}

/** True on every rank when it is true on any (a stop requested by a signal on one rank stops them all together). */
export function anyRank(flag: boolean): boolean {
  if (processGroup().worldSize === 1) return flag;
  return tf.tidy(() => {
    const b = torch('anyRank');
    const [x] = [tf.scalar(flag ? 1 : 0)];
    const [h] = b.native.allReduce([b.handle(x)], 'max');
    const out = tf.engine().makeTensorFromTensorInfo(b.output(h, [], 'float32'));
    return out.dataSync()[0] > 0;
  });
}

export function barrier(): void {
  if (current) torch('barrier').native.barrier();
}

/**
 * Data-parallel collectives over c10d (the engine PyTorch's DDP uses), through the torch backend's addon: a
 * TCPStore rendezvous (rank 0 serves it on `masterAddr:masterPort`, like torchrun's) and a Gloo process group on
 * the CPU. Tensors go in and come back as new tensors: `allReduceMean` averages gradients over the ranks in one
 * flat bucket, `broadcastFrom` gives every rank the root's values (initial weights and alphas).
 * Like PyTorch's, the rendezvous has no authentication: bind it to a trusted network only.
 */
import * as tf from '@tensorflow/tfjs-core';
import { TorchBackend } from '../backend/torch/backend';

export interface ProcessGroupOptions {
  rank: number;
  worldSize: number;
  /** Where rank 0 listens (default 127.0.0.1: one node). */
  masterAddr?: string;
  masterPort: number;
  /** A collective or the rendezvous that waits longer fails (default 60 s): a dead rank never hangs the job. */
  timeoutMs?: number;
}

let current: Required<ProcessGroupOptions> | undefined;

function torch(what: string): TorchBackend {
  const b = tf.backend();
  if (!(b instanceof TorchBackend)) throw new Error(`${what}: data-parallel training needs the torch backend (--backend torch); this is ${tf.getBackend()}`);
  return b;
}

/** Joins the process group; returns when every rank has joined (or throws after the timeout). */
export function initProcessGroup(o: ProcessGroupOptions): void {
  const b = torch('initProcessGroup');
  if (!b.native.distInfo().available)
    throw new Error('initProcessGroup: the torch addon was built without Gloo: apt-get install libgloo-dev, then npm run build:native');
  if (!(Number.isInteger(o.rank) && o.rank >= 0 && o.rank < o.worldSize)) throw new Error(`initProcessGroup: rank ${o.rank} is not in [0, ${o.worldSize})`);
  const full = { masterAddr: '127.0.0.1', timeoutMs: 60_000, ...o };
  b.native.distInit(full.rank, full.worldSize, full.masterAddr, full.masterPort, full.timeoutMs);
  current = full;
}

/** This process's place: rank 0 of 1 before `initProcessGroup`. */
export function processGroup(): { rank: number; worldSize: number } {
  return current ? { rank: current.rank, worldSize: current.worldSize } : { rank: 0, worldSize: 1 };
}

function collective(what: string, ts: tf.Tensor[], run: (b: TorchBackend, handles: number[]) => number[]): tf.Tensor[] {
  if (!current) throw new Error(`${what}: no process group (initProcessGroup first)`);
  if (ts.length === 0) return [];
  const b = torch(what);
  let out: number[];
  try {
    out = run(
      b,
      ts.map((t) => b.handle(t)),
    );
  } catch (e) {
    throw new Error(`${what} on rank ${current.rank} of ${current.worldSize} failed (another rank died or timed out?): ${(e as Error).message}`, { cause: e });
  }
  return out.map((h, i) => tf.engine().makeTensorFromTensorInfo(b.output(h, [...ts[i].shape], 'float32')));
}

/** The mean over the ranks of each tensor (float32), as new tensors. */
export function allReduceMean(ts: tf.Tensor[]): tf.Tensor[] {
  return collective('allReduceMean', ts, (b, hs) => b.native.allReduceMean(hs));
}

/** `root`'s values of each tensor (float32), on every rank, as new tensors. */
export function broadcastFrom(ts: tf.Tensor[], root = 0): tf.Tensor[] {
  return collective('broadcastFrom', ts, (b, hs) => b.native.broadcast(hs, root));
}

/** Gives every variable rank `root`'s value (same initial weights and alphas on every replica). */
export function syncVariables(vars: tf.Variable[], root = 0): void {
  const values = broadcastFrom(vars, root);
  vars.forEach((v, i) => v.assign(values[i]));
  tf.dispose(values);
}

export function barrier(): void {
  if (current) torch('barrier').native.barrier();
}

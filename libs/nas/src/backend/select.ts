/**
 * Backend selection (docs/architecture.md, "Backends and the op routes"): tfjs-node-gpu, tfjs-node, then the fastest CPU path that works here
 * (`torch`: tensors in libtorch on the CPU or a CUDA GPU; `wasm`; pure-JS `cpu`). `--backend` / PVNAS_BACKEND force
 * one. The choice, versions and thread count are returned for run metadata.
 */
import * as os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { version_cpu } from '@tensorflow/tfjs-backend-cpu';
import { z } from 'zod';
import './gradients';
import { registerPvnasGradients } from './pvnas-gradients';
import { deviceRequestSchema, resolveDevice, type DeviceRequest } from './torch/device';
import { loadTorchAddon } from './torch/native';
import { registerTorchBackend, TORCH_BACKEND } from './torch/register';

export const BACKEND_NAMES = ['torch', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
export const backendRequestSchema = z.enum(['auto', ...BACKEND_NAMES]);
export type BackendName = (typeof BACKEND_NAMES)[number];
export type BackendRequest = z.infer<typeof backendRequestSchema>;

export interface BackendInfo {
  /** What was chosen (tfjs-node registers as `tensorflow`; we keep -gpu apart). */
  name: BackendName;
  /** tfjs's own backend name, `tf.getBackend()`. */
  tfjsBackend: string;
  requested: BackendRequest;
  threads: number;
  /** Where tensors live: `cpu`, `cuda:0`, ... (the `torch` backend); `cpu` for the others. */
  device: string;
  versions: Record<string, string>;
  /** Backends tried before, with why they were passed over. */
  skipped: Array<{ name: BackendName; reason: string }>;
}

export interface SelectOptions {
  backend?: BackendRequest;
  /** Intra-op threads of the torch backend; default PVNAS_THREADS or the cores Node sees. */
  threads?: number;
  /** The torch backend's device; default PVNAS_DEVICE or `auto` (cuda when built with it and a GPU is visible). */
  device?: DeviceRequest;
  /** This process's place among the data-parallel processes of its node: `auto`/`cuda` mean GPU `localRank`. */
  localRank?: number;
  /** Where to write the one-line summary; default stderr; null for silence. */
  log?: ((line: string) => void) | null;
}

type Attempt = { ok: true; tfjsBackend: string; versions: Record<string, string>; threads: number; device?: string } | { ok: false; reason: string };

function loadError(e: unknown): string {
  const m = (e as Error).message.split('\n')[0];
  return /Cannot find module|ERR_MODULE_NOT_FOUND|MODULE_NOT_FOUND/.test(m) ? 'not installed' : m;
}

async function activate(name: string): Promise<boolean> {
  try {
    return await tf.setBackend(name);
  } catch {
    return false;
  }
}

async function attempt(name: BackendName, threads: number, device: DeviceRequest, localRank: number): Promise<Attempt> {
  switch (name) {
    case 'tensorflow-gpu':
    case 'tensorflow': {
      const pkg = name === 'tensorflow-gpu' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
      try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const mod = require(pkg) as { version?: Record<string, string> };
        if (!(await activate('tensorflow'))) return { ok: false, reason: `${pkg} loaded but its backend does not start` };
        return { ok: true, tfjsBackend: 'tensorflow', versions: { [pkg]: mod.version?.['tfjs-node'] ?? 'unknown' }, threads };
      } catch (e) {
        return { ok: false, reason: `${pkg}: ${loadError(e)}` };
      }
    }
    case 'torch': {
      const load = loadTorchAddon();
      if (!load.ok) return { ok: false, reason: load.reason };
      let where: string;
      try {
        where = resolveDevice(device, load.addon, localRank);
      } catch (e) {
        return { ok: false, reason: (e as Error).message };
      }
      registerTorchBackend(load.addon, threads, where);
      if (!(await activate(TORCH_BACKEND))) return { ok: false, reason: 'the torch backend does not start' };
      return {
        ok: true,
        tfjsBackend: TORCH_BACKEND,
        versions: { libtorch: load.addon.version().torch },
        threads: load.addon.threads(),
        device: where,
      };
    }
    case 'wasm': {
      try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const wasm = require('@tensorflow/tfjs-backend-wasm') as { version_wasm: string };
        if (!(await activate('wasm'))) return { ok: false, reason: 'the wasm backend does not start' };
        // tfjs-backend-wasm runs single-threaded in Node (its threaded build needs a blob: worker).
        return { ok: true, tfjsBackend: 'wasm', versions: { 'tfjs-backend-wasm': wasm.version_wasm }, threads: 1 };
      } catch (e) {
        return { ok: false, reason: `@tensorflow/tfjs-backend-wasm: ${loadError(e)}` };
      }
    }
    case 'cpu':
      if (!(await activate('cpu'))) return { ok: false, reason: 'the cpu backend does not start' };
      // chosen knowingly: skip the cpu backend's advice to install tfjs-node on its first write
      (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
      return { ok: true, tfjsBackend: 'cpu', versions: { 'tfjs-backend-cpu': version_cpu }, threads: 1 };
  }
}

export function defaultThreads(): number {
  const env = Number(process.env.PVNAS_THREADS);
  return Number.isInteger(env) && env > 0 ? env : os.availableParallelism();
}

/** Chooses and activates the backend; throws only when a forced backend does not work, saying why. */
export async function selectBackend(options: SelectOptions = {}): Promise<BackendInfo> {
  const requested = backendRequestSchema.parse(options.backend ?? process.env.PVNAS_BACKEND ?? 'auto');
  const threads = options.threads ?? defaultThreads();
  const device = deviceRequestSchema.parse(options.device ?? (process.env.PVNAS_DEVICE || 'auto'));
  const log = options.log === undefined ? (line: string) => process.stderr.write(line + '\n') : options.log;
  registerPvnasGradients();
  const order: BackendName[] = requested === 'auto' ? [...BACKEND_NAMES] : [requested];
  const skipped: BackendInfo['skipped'] = [];
  for (const name of order) {
    const r = await attempt(name, threads, device, options.localRank ?? 0);
    if (!r.ok) {
      skipped.push({ name, reason: r.reason });
      continue;
    }
    const info: BackendInfo = {
      name,
      tfjsBackend: r.tfjsBackend,
      requested,
      threads: r.threads,
      device: r.device ?? 'cpu',
      versions: { 'tfjs-core': tf.version_core, ...r.versions },
      skipped,
    };
    log?.(
      `backend: ${name} (${Object.entries(info.versions)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}; ${info.device}; ${info.threads} thread${info.threads === 1 ? '' : 's'})` +
        (skipped.length ? `; passed over ${skipped.map((s) => `${s.name} (${s.reason})`).join(', ')}` : ''),
    );
    return info;
  }
  throw new Error(
    `backend ${requested}: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}` +
      (requested === 'auto' ? '' : ' (choose another with --backend, or auto)'),
  );
}

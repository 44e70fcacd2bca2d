/**
 * Registers the `torch` backend: the kernel tables of kernels/*.ts, and for every other kernel tfjs's cpu
 * backend has, an explicit CPU fallback (inputs read to the host, the cpu kernel, outputs written back),
 * counted per kernel in `TorchBackend.stats.fallbacks`; PVNAS_TORCH_FALLBACK=error refuses it instead.
 */
import { engine, getKernelsForBackend, registerBackend, registerKernel, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { registerPvnasGradients } from '../pvnas-gradients';
import { TorchBackend } from './backend';
import type { TorchNative } from './native';
import type { KernelTable, TorchKernel } from './kernels/kernel';
import { convKernels } from './kernels/conv';
import { elementwiseKernels } from './kernels/elementwise';
import { layoutKernels } from './kernels/layout';
import { matmulKernels } from './kernels/matmul';
import { mixedKernels } from './kernels/mixed';
import { normKernels } from './kernels/norm';
import { poolKernels } from './kernels/pool';
import { reduceKernels } from './kernels/reduce';

export const TORCH_BACKEND = 'torch';

/** Every kernel the backend runs in libtorch, by name. */
export const TORCH_KERNELS: KernelTable = {
  ...elementwiseKernels,
  ...reduceKernels,
  ...layoutKernels,
  ...matmulKernels,
  ...convKernels,
  ...poolKernels,
  ...normKernels,
  ...mixedKernels,
};

let cpu: MathBackendCPU | undefined;

/** `config`'s cpu kernel run on copies of the inputs; the outputs come back as torch tensors. */
function viaCpu(config: KernelConfig): KernelFunc {
  return ({ inputs, attrs, backend }) => {
    const b = backend as TorchBackend;
    b.noteFallback(config.kernelName);
    if (!cpu) {
      cpu = new MathBackendCPU();
      (cpu as unknown as { firstUse: boolean }).firstUse = false; // no advice to install tfjs-node
    }
    const toCpu = (t: TensorInfo) => cpu!.makeTensorInfo(t.shape, t.dtype, b.readSync(t.dataId) as Float32Array);
    // most kernels name their inputs; some (Pack, Concat, AddN) take a list
    const host = Array.isArray(inputs)
      ? (inputs as TensorInfo[]).map(toCpu)
      : (Object.fromEntries(Object.entries(inputs as Record<string, TensorInfo>).map(([k, t]) => [k, toCpu(t)])) as Record<string, TensorInfo>);
    try {
      const out = config.kernelFunc({ inputs: host as never, attrs, backend: cpu });
      const list = Array.isArray(out) ? out : [out];
      const back = list.map((t) => {
        const r = b.fromHost(cpu!.readSync(t.dataId), [...t.shape], t.dtype);
        cpu!.disposeData(t.dataId);
        return r;
      });
      return Array.isArray(out) ? back : back[0];
    } finally {
      for (const t of Object.values(host) as TensorInfo[]) cpu.disposeData(t.dataId);
    }
  };
}

let registered: TorchNative | undefined;

/** Registers the `torch` backend on `device` (idempotent; priority 0: selectBackend chooses it, never tfjs's default). */
export function registerTorchBackend(native: TorchNative, threads: number, device: string): void {
  registerPvnasGradients();
  native.setDevice(device);
  native.threads(threads);
  // channels-last unless measured otherwise for a device (docs/decisions.md; tools/device/gpu-check.ts measures both)
  const format = process.env.PVNAS_TORCH_CONV_FORMAT;
  if (format === 'nchw' || format === 'channels-last') native.convFormat(format);
  if (registered) return;
  registered = native;
  registerBackend(TORCH_BACKEND, () => new TorchBackend(native), 0);
  for (const [kernelName, kernelFunc] of Object.entries(TORCH_KERNELS)) {
    registerKernel({ kernelName, backendName: TORCH_BACKEND, kernelFunc: kernelFunc as TorchKernel as unknown as KernelFunc });
  }
  for (const config of getKernelsForBackend('cpu')) {
    if (!(config.kernelName in TORCH_KERNELS)) registerKernel({ kernelName: config.kernelName, backendName: TORCH_BACKEND, kernelFunc: viaCpu(config) });
  }
}

/** The CPU fallbacks of the current backend since the last call (the torch backend; [] on any other). */
export function takeCpuFallbacks(): Array<[string, number]> {
  const b = engine().backend;
  return b instanceof TorchBackend ? b.takeFallbacks() : [];
}

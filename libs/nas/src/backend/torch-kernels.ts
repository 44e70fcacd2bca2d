/**
 * The kernels of the `torch` backend (torch-backend.ts) and its registration: our kernels of kernel-names.ts
 * computed by libtorch through the native addon, in place on the cpu backend's Float32Arrays.
 */
import {
  cast,
  engine,
  getKernelsForBackend,
  mul,
  step,
  registerBackend,
  registerGradient,
  registerKernel,
  type NamedAttrMap,
  type Tensor,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { TorchAddon } from './addon';
import { torchStockKernels } from './torch-stock-kernels';
import { TorchBackend } from './torch-backend';
import { conv2dOutShape, pool2dOutShape, type Conv2dAttrs, type Pool2dAttrs } from './geometry';
import {
  PVNAS_AVG_POOL,
  PVNAS_AVG_POOL_GRAD,
  PVNAS_BATCH_NORM,
  PVNAS_BATCH_NORM_AFFINE,
  PVNAS_BATCH_NORM_GRAD,
  PVNAS_CONV2D,
  PVNAS_CONV2D_GRAD,
  PVNAS_MAX_POOL,
  PVNAS_MAX_POOL_GRAD,
  MAX_WEIGHTED_TERMS,
  PVNAS_RELU_GRAD,
  PVNAS_WEIGHTED_SUM_GRAD,
  pvnasWeightedSum,
  hasKernel,
} from './kernel-names';

export const TORCH_BACKEND = 'torch';

type Inputs = Record<string, TensorInfo | undefined>;

function f32(backend: MathBackendCPU, t: TensorInfo | undefined, what: string): Float32Array {
  if (!t) throw new Error(`torch backend: missing input ${what}`);
  if (t.dtype !== 'float32') throw new Error(`torch backend: ${what} must be float32, got ${t.dtype}`);
  return backend.data.get(t.dataId).values as Float32Array;
}

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/**
 * Output storage and its tensor info. `info()` registers the data with the backend once (memoised): a second
 * registration would be an entry no tensor owns, holding its buffer for ever.
 */
function out(backend: MathBackendCPU, shape: number[]): { values: Float32Array; shape: number[]; info: () => TensorInfo } {
  const values = (backend as TorchBackend).alloc('float32', size(shape)) as Float32Array;
  let info: TensorInfo | undefined;
  return { values, shape, info: () => (info ??= backend.makeTensorInfo(shape, 'float32', values)) };
}

type KernelFn = (args: { inputs: Inputs; attrs: NamedAttrMap; backend: MathBackendCPU }) => TensorInfo | TensorInfo[];

type KernelArgs = Parameters<KernelFn>[0];

function pool(fn: TorchAddon['avgPool'], { inputs: { x }, attrs, backend }: KernelArgs): TensorInfo {
  const a = attrs as unknown as Pool2dAttrs;
  const yShape = pool2dOutShape(x!.shape, a);
  const y = out(backend, yShape);
  fn(f32(backend, x, 'x'), x!.shape, y.values, yShape, a.kernel, a.stride, a.pad);
  return y.info();
}

function poolGrad(fn: TorchAddon['avgPoolBackward'], { inputs: { dy, x }, attrs, backend }: KernelArgs): TensorInfo {
  const a = attrs as unknown as Pool2dAttrs;
  const dx = out(backend, [...x!.shape]);
  fn(f32(backend, dy, 'dy'), dy!.shape, f32(backend, x, 'x'), x!.shape, dx.values, a.kernel, a.stride, a.pad);
  return dx.info();
}

function kernels(addon: TorchAddon): Record<string, KernelFn> {
  const batchNorm = ({ x, gamma, beta }: Inputs, attrs: NamedAttrMap, backend: MathBackendCPU): TensorInfo[] => {
    const [P, C] = x!.shape;
    const y = out(backend, [P, C]),
      mean = out(backend, [C]),
      invstd = out(backend, [C]);
    addon.batchNorm(
      f32(backend, x, 'x'),
      P,
      C,
      gamma ? f32(backend, gamma, 'gamma') : null,
      beta ? f32(backend, beta, 'beta') : null,
      y.values,
      mean.values,
      invstd.values,
      attrs.eps as number,
    );
    return [y.info(), mean.info(), invstd.info()];
  };
  const termsOf = (inputs: Inputs, n: number): TensorInfo[] => Array.from({ length: n }, (_, k) => inputs[`y${k}`]!);
  const weightsAt = (backend: MathBackendCPU, w: TensorInfo | undefined, indices: number[]): number[] => {
    const all = f32(backend, w, 'w');
    return indices.map((i) => all[i]);
  };
  const weightedSums = Object.fromEntries(
    Array.from({ length: MAX_WEIGHTED_TERMS }, (_, k) => k + 1).map((n): [string, KernelFn] => [
      pvnasWeightedSum(n),
      ({ inputs, attrs, backend }) => {
        const ys = termsOf(inputs, n);
        const y = out(backend, [...ys[0].shape]);
        addon.weightedSum(
          ys.map((t, k) => f32(backend, t, `y${k}`)),
          ys[0].shape,
          weightsAt(backend, inputs.w, attrs.indices as number[]),
          y.values,
        );
        return y.info();
      },
    ]),
  );
  return {
    ...weightedSums,
    [PVNAS_WEIGHTED_SUM_GRAD]: ({ inputs, attrs, backend }) => {
      const indices = attrs.indices as number[];
      const ys = termsOf(inputs, indices.length);
      const dys = ys.map((t) => out(backend, [...t.shape]));
      const dwTerms = out(backend, [indices.length]);
      addon.weightedSumBackward(
        f32(backend, inputs.dy, 'dy'),
        ys.map((t, k) => f32(backend, t, `y${k}`)),
        ys[0].shape,
        weightsAt(backend, inputs.w, indices),
        dys.map((d) => d.values),
        dwTerms.values,
      );
      const dw = out(backend, [...inputs.w!.shape]);
      dw.values.fill(0);
      indices.forEach((i, k) => (dw.values[i] += dwTerms.values[k]));
      return [dw.info(), ...dys.map((d) => d.info())];
    },
    [PVNAS_RELU_GRAD]: ({ inputs: { dy, x }, backend }) => {
      const dx = out(backend, [...x!.shape]);
      addon.binary('reluGrad', f32(backend, dy, 'dy'), dy!.shape, f32(backend, x, 'x'), x!.shape, dx.values, x!.shape);
      return dx.info();
    },
    [PVNAS_CONV2D]: ({ inputs: { x, w }, attrs, backend }) => {
      const a = attrs as unknown as Conv2dAttrs;
      const y = out(backend, conv2dOutShape(x!.shape, w!.shape, a));
      addon.conv2d(f32(backend, x, 'x'), x!.shape, f32(backend, w, 'w'), w!.shape, y.values, y.shape, a.stride, a.pad, a.dilation, a.groups);
      return y.info();
    },
    [PVNAS_CONV2D_GRAD]: ({ inputs: { dy, x, w }, attrs, backend }) => {
      const a = attrs as unknown as Conv2dAttrs;
      const dx = out(backend, [...x!.shape]);
      const dw = out(backend, [...w!.shape]);
      addon.conv2dBackward(
        f32(backend, dy, 'dy'),
        dy!.shape,
        f32(backend, x, 'x'),
        x!.shape,
        f32(backend, w, 'w'),
        w!.shape,
        dx.values,
        dw.values,
        a.stride,
        a.pad,
        a.dilation,
        a.groups,
      );
      return [dx.info(), dw.info()];
    },
    [PVNAS_AVG_POOL]: (args) => pool(addon.avgPool, args),
    [PVNAS_AVG_POOL_GRAD]: (args) => poolGrad(addon.avgPoolBackward, args),
    [PVNAS_MAX_POOL]: (args) => pool(addon.maxPool, args),
    [PVNAS_MAX_POOL_GRAD]: (args) => poolGrad(addon.maxPoolBackward, args),
    [PVNAS_BATCH_NORM]: ({ inputs, attrs, backend }) => batchNorm(inputs, attrs, backend),
    [PVNAS_BATCH_NORM_AFFINE]: ({ inputs, attrs, backend }) => batchNorm(inputs, attrs, backend),
    [PVNAS_BATCH_NORM_GRAD]: ({ inputs: { dy, x, mean, invstd, gamma }, attrs, backend }) => {
      const [P, C] = x!.shape;
      const dx = out(backend, [P, C]);
      const affine = gamma ? { dgamma: out(backend, [C]), dbeta: out(backend, [C]) } : undefined;
      addon.batchNormBackward(
        f32(backend, dy, 'dy'),
        f32(backend, x, 'x'),
        P,
        C,
        f32(backend, mean, 'mean'),
        f32(backend, invstd, 'invstd'),
        gamma ? f32(backend, gamma, 'gamma') : null,
        dx.values,
        affine?.dgamma.values ?? null,
        affine?.dbeta.values ?? null,
        attrs.eps as number,
      );
      return affine ? [dx.info(), affine.dgamma.info(), affine.dbeta.info()] : [dx.info()];
    },
  };
}

let gradientsRegistered = false;

/** Gradients of our kernels, in tfjs's registry (backend independent: only backends with the kernels use them). */
export function registerPvnasGradients(): void {
  if (gradientsRegistered) return;
  gradientsRegistered = true;
  const run = (name: string, inputs: Record<string, Tensor>, attrs: NamedAttrMap): Tensor[] => {
    const r = engine().runKernel(name, inputs, attrs) as Tensor | Tensor[];
    return Array.isArray(r) ? r : [r];
  };
  // One backward kernel call serves every input's gradient. It runs here, not in the closures: tfjs calls
  // each closure inside its own tidy, which would dispose the other inputs' gradients.
  registerGradient({
    kernelName: PVNAS_CONV2D,
    inputsToSave: ['x', 'w'],
    gradFunc: (dy, saved, attrs) => {
      const [x, w] = saved;
      const [dx, dw] = run(PVNAS_CONV2D_GRAD, { dy: dy as Tensor, x, w }, attrs);
      return { x: () => dx, w: () => dw };
    },
  });
  for (let n = 1; n <= MAX_WEIGHTED_TERMS; n++) {
    registerGradient({
      kernelName: pvnasWeightedSum(n),
      inputsToSave: ['w', ...Array.from({ length: n }, (_, k) => `y${k}`)],
      gradFunc: (dy, saved, attrs) => {
        const [w, ...ys] = saved;
        const inputs: Record<string, Tensor> = { dy: dy as Tensor, w };
        ys.forEach((y, k) => (inputs[`y${k}`] = y));
        const [dw, ...dys] = run(PVNAS_WEIGHTED_SUM_GRAD, inputs, attrs);
        return Object.fromEntries([['w', () => dw], ...dys.map((d, k) => [`y${k}`, () => d])]);
      },
    });
  }
  // Relu: one fused kernel where the backend has it, else tfjs's own formula (dy * step(x))
  registerGradient({
    kernelName: 'Relu',
    inputsToSave: ['x'],
    gradFunc: (dy, [x]) => ({
      x: () => (hasKernel(PVNAS_RELU_GRAD) ? run(PVNAS_RELU_GRAD, { dy: dy as Tensor, x }, {})[0] : mul(dy as Tensor, cast(step(x), 'float32'))),
    }),
  });
  registerGradient({
    kernelName: PVNAS_AVG_POOL,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => ({ x: () => run(PVNAS_AVG_POOL_GRAD, { dy: dy as Tensor, x: saved[0] }, attrs)[0] }),
  });
  registerGradient({
    kernelName: PVNAS_MAX_POOL,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => ({ x: () => run(PVNAS_MAX_POOL_GRAD, { dy: dy as Tensor, x: saved[0] }, attrs)[0] }),
  });
  registerGradient({
    kernelName: PVNAS_BATCH_NORM,
    inputsToSave: ['x'],
    outputsToSave: [false, true, true],
    gradFunc: (dys, [x, mean, invstd], attrs) => {
      const dy = (Array.isArray(dys) ? dys[0] : dys) as Tensor;
      return { x: () => run(PVNAS_BATCH_NORM_GRAD, { dy, x, mean, invstd }, attrs)[0] };
    },
  });
  registerGradient({
    kernelName: PVNAS_BATCH_NORM_AFFINE,
    inputsToSave: ['x', 'gamma'],
    outputsToSave: [false, true, true],
    gradFunc: (dys, [x, gamma, mean, invstd], attrs) => {
      const dy = (Array.isArray(dys) ? dys[0] : dys) as Tensor;
      const [dx, dgamma, dbeta] = run(PVNAS_BATCH_NORM_GRAD, { dy, x, mean, invstd, gamma }, attrs);
      return { x: () => dx, gamma: () => dgamma, beta: () => dbeta };
    },
  });
}

/** Registers the `torch` backend (idempotent). Priority 0: it is chosen by selectBackend, never by default. */
export function registerTorchBackend(addon: TorchAddon, threads: number): void {
  registerPvnasGradients();
  if (getKernelsForBackend(TORCH_BACKEND).length > 0) {
    addon.threads(threads);
    return;
  }
  registerBackend(TORCH_BACKEND, () => new TorchBackend(), 0);
  const cpuKernels = getKernelsForBackend('cpu');
  const native = new Map(torchStockKernels(addon, TORCH_BACKEND, cpuKernels).map((k) => [k.kernelName, k]));
  for (const config of cpuKernels) registerKernel(native.get(config.kernelName) ?? { ...config, backendName: TORCH_BACKEND });
  for (const [kernelName, kernelFunc] of Object.entries(kernels(addon))) {
    registerKernel({ kernelName, backendName: TORCH_BACKEND, kernelFunc: kernelFunc as never });
  }
  addon.threads(threads);
}

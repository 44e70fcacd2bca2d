/**
 * The gradients of our kernels (kernel-names.ts), in tfjs's registry: backend independent, only backends that
 * have the kernels (the `torch` backend) use them.
 */
import { cast, engine, mul, step, registerGradient, type NamedAttrMap, type Tensor } from '@tensorflow/tfjs-core';
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

/** A mixed edge's weighted sum of its ops' outputs, and its gradient (kernel-names.ts). The weights stay on the device. */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { MAX_WEIGHTED_TERMS, PVNAS_WEIGHTED_SUM_GRAD, pvnasWeightedSum } from '../../kernel-names';
import { input, type KernelArgs, type KernelTable } from './kernel';

const terms = (args: KernelArgs, n: number, name: string): TensorInfo[] => Array.from({ length: n }, (_, k) => input(args, `y${k}`, name));

export const mixedKernels: KernelTable = {
  ...Object.fromEntries(
    Array.from({ length: MAX_WEIGHTED_TERMS }, (_, k) => k + 1).map((n) => [
      pvnasWeightedSum(n),
      (args: KernelArgs): TensorInfo => {
        const name = pvnasWeightedSum(n);
        const ys = terms(args, n, name);
        const b = args.backend;
        return b.output(
          b.native.weightedSum(
            ys.map((y) => b.handle(y)),
            b.handle(input(args, 'w', name)),
            args.attrs.indices as number[],
          ),
          [...ys[0].shape],
          'float32',
        );
      },
    ]),
  ),
  [PVNAS_WEIGHTED_SUM_GRAD]: (args) => {
    const indices = args.attrs.indices as number[];
    const ys = terms(args, indices.length, PVNAS_WEIGHTED_SUM_GRAD);
    const w = input(args, 'w', PVNAS_WEIGHTED_SUM_GRAD);
    const b = args.backend;
    const [dw, ...dys] = b.native.weightedSumBackward(
      b.handle(input(args, 'dy', PVNAS_WEIGHTED_SUM_GRAD)),
      ys.map((y) => b.handle(y)),
      b.handle(w),
      indices,
    );
    return [b.output(dw, [...w.shape], 'float32'), ...dys.map((d, k) => b.output(d, [...ys[k].shape], 'float32'))];
  },
};

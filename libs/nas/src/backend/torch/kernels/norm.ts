/** Batch norm: ours (training mode over rows, with its gradient) and tfjs's FusedBatchNorm (inference, a graph model's). */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { PVNAS_BATCH_NORM, PVNAS_BATCH_NORM_AFFINE, PVNAS_BATCH_NORM_GRAD } from '../../kernel-names';
import { input, type KernelArgs, type KernelTable } from './kernel';

function batchNorm(name: string, affine: boolean) {
  return (args: KernelArgs): TensorInfo[] => {
    const x = input(args, 'x', name);
    const b = args.backend;
    const gamma = affine ? b.handle(input(args, 'gamma', name)) : null;
    const beta = affine ? b.handle(input(args, 'beta', name)) : null;
    const [y, mean, invstd] = b.native.batchNorm(b.handle(x), gamma, beta, args.attrs.eps as number);
    const C = x.shape[1];
    return [b.output(y, [...x.shape], 'float32'), b.output(mean, [C], 'float32'), b.output(invstd, [C], 'float32')];
  };
}

export const normKernels: KernelTable = {
  [PVNAS_BATCH_NORM]: batchNorm(PVNAS_BATCH_NORM, false),
  [PVNAS_BATCH_NORM_AFFINE]: batchNorm(PVNAS_BATCH_NORM_AFFINE, true),
  [PVNAS_BATCH_NORM_GRAD]: (args) => {
    const [dy, x, mean, invstd] = (['dy', 'x', 'mean', 'invstd'] as const).map((k) => input(args, k, PVNAS_BATCH_NORM_GRAD));
    const gamma = args.inputs.gamma;
    const b = args.backend;
    const [dx, dgamma, dbeta] = b.native.batchNormBackward(
      b.handle(dy),
      b.handle(x),
      b.handle(mean),
      b.handle(invstd),
      gamma ? b.handle(gamma) : null,
      args.attrs.eps as number,
    );
    const C = [x.shape[1]];
    const dxInfo = b.output(dx, [...x.shape], 'float32');
    return gamma ? [dxInfo, b.output(dgamma, C, 'float32'), b.output(dbeta, C, 'float32')] : [dxInfo];
  },
  FusedBatchNorm: (args) => {
    const [x, mean, variance] = (['x', 'mean', 'variance'] as const).map((k) => input(args, k, 'FusedBatchNorm'));
    const { offset, scale } = args.inputs;
    const b = args.backend;
    const eps = (args.attrs.varianceEpsilon as number | undefined) ?? 0.001;
    return b.output(
      b.native.normalize(b.handle(x), b.handle(mean), b.handle(variance), offset ? b.handle(offset) : null, scale ? b.handle(scale) : null, eps),
      [...x.shape],
      'float32',
    );
  },
};

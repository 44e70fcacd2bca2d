/** Pools: ours (PyTorch padding, with gradients) and tfjs's stock AvgPool and MaxPool (an exported graph model's). */
import { backend_util, type TensorInfo } from '@tensorflow/tfjs-core';
import { pool2dOutShape, type Pool2dAttrs } from '../../geometry';
import { PVNAS_AVG_POOL, PVNAS_AVG_POOL_GRAD, PVNAS_MAX_POOL, PVNAS_MAX_POOL_GRAD } from '../../kernel-names';
import { input, type KernelArgs, type KernelTable } from './kernel';

function pool(kind: 'avg' | 'max', name: string) {
  return (args: KernelArgs): TensorInfo => {
    const x = input(args, 'x', name);
    const a = args.attrs as unknown as Pool2dAttrs;
    const b = args.backend;
    const pads = [a.pad[0], a.pad[0], a.pad[1], a.pad[1]];
    return b.output(b.native.pool(kind, b.handle(x), a.kernel, a.stride, pads), pool2dOutShape(x.shape, a), 'float32');
  };
}

function poolGrad(kind: 'avg' | 'max', name: string) {
  return (args: KernelArgs): TensorInfo => {
    const dy = input(args, 'dy', name),
      x = input(args, 'x', name);
    const a = args.attrs as unknown as Pool2dAttrs;
    const b = args.backend;
    return b.output(b.native.poolBackward(kind, b.handle(dy), b.handle(x), a.kernel, a.stride, a.pad), [...x.shape], 'float32');
  };
}

function stockPool(kind: 'avg' | 'max', name: string) {
  return (args: KernelArgs): TensorInfo => {
    const x = input(args, 'x', name);
    const a = args.attrs as {
      filterSize: number | [number, number];
      strides: number | [number, number];
      pad: 'valid' | 'same' | number;
      dimRoundingMode?: 'floor' | 'round' | 'ceil';
    };
    const info = backend_util.computePool2DInfo(x.shape as [number, number, number, number], a.filterSize, a.strides, 1, a.pad, a.dimRoundingMode);
    const p = info.padInfo;
    const b = args.backend;
    const y = b.native.pool(
      kind,
      b.handle(x),
      [info.filterHeight, info.filterWidth],
      [info.strideHeight, info.strideWidth],
      [p.top, p.bottom, p.left, p.right],
    );
    return b.output(y, [...info.outShape], 'float32');
  };
}

export const poolKernels: KernelTable = {
  [PVNAS_AVG_POOL]: pool('avg', PVNAS_AVG_POOL),
  [PVNAS_AVG_POOL_GRAD]: poolGrad('avg', PVNAS_AVG_POOL_GRAD),
  [PVNAS_MAX_POOL]: pool('max', PVNAS_MAX_POOL),
  [PVNAS_MAX_POOL_GRAD]: poolGrad('max', PVNAS_MAX_POOL_GRAD),
  AvgPool: stockPool('avg', 'AvgPool'),
  MaxPool: stockPool('max', 'MaxPool'),
};

/** Reductions: Sum, Mean, Max, Min over axes, ArgMax, AddN. */
import { util, type DataType, type TensorInfo } from '@tensorflow/tfjs-core';
import { input, nativeDtype, type KernelArgs, type KernelTable } from './kernel';

function reduce(name: string, op: 'sum' | 'mean' | 'max' | 'min') {
  return (args: KernelArgs): TensorInfo => {
    const x = input(args, 'x', name);
    const b = args.backend;
    // Max and Min call the axes reductionIndices
    const axes = util.parseAxisParam((args.attrs.axis ?? args.attrs.reductionIndices) as number | number[], x.shape);
    const keepDims = Boolean(args.attrs.keepDims);
    const shape = keepDims ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i));
    const dtype: DataType = op === 'mean' ? 'float32' : op === 'sum' && x.dtype === 'bool' ? 'int32' : x.dtype;
    if (axes.length === 0 && dtype === x.dtype) return b.alias(x, shape);
    let h = b.handle(x);
    const cast = op === 'mean' && x.dtype !== 'float32';
    if (cast) h = b.native.cast(h, 'float32');
    try {
      return b.output(b.native.reduce(op, h, axes, keepDims, nativeDtype(dtype, name)), shape, dtype);
    } finally {
      if (cast) b.native.free(h);
    }
  };
}

export const reduceKernels: KernelTable = {
  Sum: reduce('Sum', 'sum'),
  Mean: reduce('Mean', 'mean'),
  Max: reduce('Max', 'max'),
  Min: reduce('Min', 'min'),
  ArgMax: (args) => {
    const x = input(args, 'x', 'ArgMax');
    const [axis] = util.parseAxisParam(args.attrs.axis as number | number[], x.shape);
    return args.backend.output(
      args.backend.native.argMax(args.backend.handle(x), axis),
      x.shape.filter((_, i) => i !== axis),
      'int32',
    );
  },
  AddN: ({ inputs, backend }) => {
    const xs = Object.values(inputs) as TensorInfo[];
    return backend.output(backend.native.addN(xs.map((t) => backend.handle(t))), [...xs[0].shape], xs[0].dtype);
  },
};

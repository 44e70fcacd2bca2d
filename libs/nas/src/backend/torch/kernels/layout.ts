/**
 * Layout kernels. Reshape and Identity share the data id (no copy, tfjs's own convention); the others copy
 * into a new contiguous tensor: Transpose, Slice, StridedSlice, SplitV, PadV2, Concat, Pack, Unpack, Reverse, Tile.
 */
import { backend_util, slice_util, util, type TensorInfo } from '@tensorflow/tfjs-core';
import type { TorchBackend } from '../backend';
import { input, sizeOf, type KernelTable } from './kernel';

function slice(b: TorchBackend, x: TensorInfo, begin: number[], size: number[]): TensorInfo {
  const end = begin.map((v, i) => v + size[i]);
  return b.output(
    b.native.stridedSlice(
      b.handle(x),
      begin,
      end,
      begin.map(() => 1),
    ),
    size,
    x.dtype,
  );
}

export const layoutKernels: KernelTable = {
  Reshape: (args) => {
    const x = input(args, 'x', 'Reshape');
    return args.backend.alias(x, util.inferFromImplicitShape(args.attrs.shape as number[], sizeOf(x.shape)));
  },
  Identity: (args) => {
    const x = input(args, 'x', 'Identity');
    return args.backend.alias(x, [...x.shape]);
  },
  Transpose: (args) => {
    const x = input(args, 'x', 'Transpose');
    const perm = args.attrs.perm as number[];
    return args.backend.output(
      args.backend.native.transpose(args.backend.handle(x), perm),
      perm.map((p) => x.shape[p]),
      x.dtype,
    );
  },
  Slice: (args) => {
    const x = input(args, 'x', 'Slice');
    const [begin, size] = slice_util.parseSliceParams(x, args.attrs.begin as number[], args.attrs.size as number[]);
    return slice(args.backend, x, begin, size);
  },
  StridedSlice: (args) => {
    const x = input(args, 'x', 'StridedSlice');
    const a = args.attrs as Record<string, number | number[]>;
    const info = slice_util.sliceInfo(
      x.shape,
      a.begin as number[],
      a.end as number[],
      a.strides as number[],
      a.beginMask as number,
      a.endMask as number,
      a.ellipsisMask as number,
      a.newAxisMask as number,
      a.shrinkAxisMask as number,
    );
    const b = args.backend;
    if (info.isIdentity) return b.alias(x, info.finalShape);
    if (info.strides.some((s) => s < 0)) throw new Error('torch backend: StridedSlice with a negative stride is not implemented (reverse, then slice)');
    const size = slice_util.computeOutShape(info.begin, info.end, info.strides);
    const sliced = b.output(b.native.stridedSlice(b.handle(x), info.begin, info.end, info.strides), size, x.dtype);
    if (util.arraysEqual(size, info.finalShape)) return sliced;
    const out = b.alias(sliced, info.finalShape);
    b.disposeData(sliced.dataId);
    return out;
  },
  SplitV: (args) => {
    const x = input(args, 'x', 'SplitV');
    const axis = util.parseAxisParam(args.attrs.axis as number, x.shape)[0];
    const sizes = backend_util.prepareSplitSize(x, args.attrs.numOrSizeSplits as number[] | number, axis);
    const begin = x.shape.map(() => 0);
    return sizes.map((n) => {
      const size = x.shape.map((d, i) => (i === axis ? n : d));
      const part = slice(args.backend, x, [...begin], size);
      begin[axis] += n;
      return part;
    });
  },
  PadV2: (args) => {
    const x = input(args, 'x', 'PadV2');
    const paddings = args.attrs.paddings as Array<[number, number]>;
    const shape = x.shape.map((d, i) => d + paddings[i][0] + paddings[i][1]);
    const b = args.backend;
    return b.output(
      b.native.pad(
        b.handle(x),
        paddings.map((p) => p[0]),
        paddings.map((p) => p[1]),
        args.attrs.constantValue as number,
      ),
      shape,
      x.dtype,
    );
  },
  Concat: ({ inputs, attrs, backend }) => {
    const all = Object.values(inputs) as TensorInfo[];
    const axis = util.parseAxisParam(attrs.axis as number, all[0].shape)[0];
    const shape = backend_util.computeOutShape(
      all.map((t) => t.shape),
      axis,
    );
    const parts = all.filter((t) => sizeOf(t.shape) > 0);
    if (parts.length === 0) return backend.output(backend.native.fill(shape, 0, all[0].dtype as 'float32'), shape, all[0].dtype);
    if (parts.length === 1) return backend.alias(parts[0], shape);
    return backend.output(
      backend.native.concat(
        parts.map((t) => backend.handle(t)),
        axis,
      ),
      shape,
      parts[0].dtype,
    );
  },
  /** tf.stack: each input viewed with a 1 at `axis` (no copy), then one concat. */
  Pack: ({ inputs, attrs, backend }) => {
    const xs = Object.values(inputs) as TensorInfo[];
    const axis = util.parseAxisParam(attrs.axis as number, [...xs[0].shape, 1])[0];
    const expanded = [...xs[0].shape.slice(0, axis), 1, ...xs[0].shape.slice(axis)];
    const shape = [...xs[0].shape.slice(0, axis), xs.length, ...xs[0].shape.slice(axis)];
    return backend.output(
      backend.native.concat(
        xs.map((t) => backend.handle({ ...t, shape: expanded })),
        axis,
      ),
      shape,
      xs[0].dtype,
    );
  },
  /** tf.unstack: one slice per index of `axis`, each seen without that axis. */
  Unpack: (args) => {
    const x = input(args, 'value', 'Unpack');
    const axis = util.parseAxisParam(args.attrs.axis as number, x.shape)[0];
    const size = x.shape.map((d, i) => (i === axis ? 1 : d));
    const shape = x.shape.filter((_, i) => i !== axis);
    return Array.from({ length: x.shape[axis] }, (_, k) => {
      const part = slice(
        args.backend,
        x,
        x.shape.map((_, i) => (i === axis ? k : 0)),
        size,
      );
      const out = args.backend.alias(part, shape);
      args.backend.disposeData(part.dataId);
      return out;
    });
  },
  Reverse: (args) => {
    const x = input(args, 'x', 'Reverse');
    const axes = util.parseAxisParam(args.attrs.dims as number[], x.shape);
    if (axes.length === 0) return args.backend.alias(x, [...x.shape]);
    return args.backend.output(args.backend.native.reverse(args.backend.handle(x), axes), [...x.shape], x.dtype);
  },
  Tile: (args) => {
    const x = input(args, 'x', 'Tile');
    const reps = args.attrs.reps as number[];
    return args.backend.output(
      args.backend.native.tile(args.backend.handle(x), reps),
      x.shape.map((d, i) => d * reps[i]),
      x.dtype,
    );
  },
};

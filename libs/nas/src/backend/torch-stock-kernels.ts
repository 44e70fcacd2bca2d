/**
 * Stock tfjs kernels of the `torch` backend computed by libtorch: the elementwise, reduction, layout and
 * matrix kernels a training step runs thousands of times. The cpu backend's JavaScript versions index
 * every element through generic broadcasting code (a MixedOp's `none` edge alone took 230 ms); libtorch
 * runs them vectorised and threaded. Anything outside the float32 (and int32/bool where marked) cases
 * below falls back to the cpu backend's own kernel, so behaviour never depends on the fast path.
 */
import { backend_util, slice_util, util, type DataType, type KernelConfig, type KernelFunc, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { TorchAddon } from './addon';
import type { TorchBackend } from './torch-backend';

type Values = Float32Array | Int32Array | Uint8Array;
type Native = (args: {
  inputs: TensorInfo[];
  named: Record<string, TensorInfo>;
  attrs: NamedAttrMap;
  backend: MathBackendCPU;
}) => TensorInfo | TensorInfo[] | null;

const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);
const NATIVE_DTYPES = new Set<DataType>(['float32', 'int32', 'bool']);

function values(backend: MathBackendCPU, t: TensorInfo): Values {
  return backend.data.get(t.dataId).values as Values;
}

function output(backend: MathBackendCPU, shape: number[], dtype: DataType, fill: (y: Values) => void): TensorInfo {
  const y = (backend as TorchBackend).alloc(dtype, sizeOf(shape));
  fill(y);
  return backend.makeTensorInfo(shape, dtype, y);
}

const allFloat = (ts: TensorInfo[]): boolean => ts.every((t) => t.dtype === 'float32');

function natives(addon: TorchAddon): Record<string, Native> {
  const table: Record<string, Native> = {};
  const binary =
    (op: string, outDtype?: DataType): Native =>
    ({ named: { a, b }, backend }) => {
      const sameNumeric = a.dtype === b.dtype && (a.dtype === 'float32' || (outDtype === 'bool' && a.dtype === 'int32'));
      if (!sameNumeric) return null;
      const shape = backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
      return output(backend, shape, outDtype ?? 'float32', (y) => addon.binary(op, values(backend, a), a.shape, values(backend, b), b.shape, y, shape));
    };
  const unary =
    (op: string): Native =>
    ({ named: { x }, attrs, backend }) => {
      if (x.dtype !== 'float32' || (op === 'step' && (attrs.alpha ?? 0) !== 0)) return null;
      return output(backend, [...x.shape], 'float32', (y) => addon.unary(op, values(backend, x), x.shape, y));
    };
  for (const [name, op] of [
    ['Add', 'add'],
    ['Sub', 'sub'],
    ['Multiply', 'mul'],
    ['RealDiv', 'div'],
    ['Maximum', 'maximum'],
    ['Minimum', 'minimum'],
    ['Pow', 'pow'],
    ['SquaredDifference', 'sqdiff'],
  ]) {
    table[name] = binary(op);
  }
  for (const [name, op] of [
    ['Equal', 'equal'],
    ['NotEqual', 'notEqual'],
    ['Greater', 'greater'],
    ['GreaterEqual', 'greaterEqual'],
    ['Less', 'less'],
    ['LessEqual', 'lessEqual'],
  ]) {
    table[name] = binary(op, 'bool');
  }
  for (const [name, op] of [
    ['Relu', 'relu'],
    ['Exp', 'exp'],
    ['Log', 'log'],
    ['Sqrt', 'sqrt'],
    ['Rsqrt', 'rsqrt'],
    ['Square', 'square'],
    ['Neg', 'neg'],
    ['Abs', 'abs'],
    ['Reciprocal', 'reciprocal'],
    ['Sigmoid', 'sigmoid'],
    ['Tanh', 'tanh'],
    ['Step', 'step'],
  ]) {
    table[name] = unary(op);
  }
  table.Cast = ({ named: { x }, attrs, backend }) => {
    const dtype = attrs.dtype as DataType;
    // same dtype: the cpu kernel shares the data (no copy)
    if (dtype === x.dtype || !NATIVE_DTYPES.has(x.dtype) || !NATIVE_DTYPES.has(dtype)) return null;
    return output(backend, [...x.shape], dtype, (y) => addon.unary('copy', values(backend, x), x.shape, y));
  };
  const reduce =
    (op: string): Native =>
    ({ named: { x }, attrs, backend }) => {
      if (x.dtype !== 'float32') return null;
      const axes = util.parseAxisParam((attrs.axis ?? attrs.reductionIndices) as number | number[], x.shape); // Max calls it reductionIndices
      if (axes.length === 0) return null;
      const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
      const shape = attrs.keepDims ? kept : x.shape.filter((_, i) => !axes.includes(i));
      return output(backend, shape, 'float32', (y) => addon.reduce(op, values(backend, x), x.shape, axes, y));
    };
  for (const [name, op] of [
    ['Sum', 'sum'],
    ['Mean', 'mean'],
    ['Max', 'max'],
    ['Min', 'min'],
  ])
    table[name] = reduce(op);
  table.AddN = ({ inputs, backend }) => {
    if (!allFloat(inputs) || inputs.some((t) => !util.arraysEqual(t.shape, inputs[0].shape))) return null;
    return output(backend, [...inputs[0].shape], 'float32', (y) =>
      addon.addN(
        inputs.map((t) => values(backend, t) as Float32Array),
        inputs[0].shape,
        y as Float32Array,
      ),
    );
  };
  table.Transpose = ({ named: { x }, attrs, backend }) => {
    if (!NATIVE_DTYPES.has(x.dtype)) return null;
    const perm = attrs.perm as number[];
    return output(
      backend,
      perm.map((p) => x.shape[p]),
      x.dtype,
      (y) => addon.transpose(values(backend, x), x.shape, perm, y),
    );
  };
  table.Slice = ({ named: { x }, attrs, backend }) => {
    if (!NATIVE_DTYPES.has(x.dtype)) return null;
    const [begin, size] = slice_util.parseSliceParams(x, attrs.begin as number[], attrs.size as number[]);
    return output(backend, size, x.dtype, (y) => addon.slice(values(backend, x), x.shape, begin, size, y));
  };
  // the gradient of concat: one native slice per part (the cpu kernel copies element by element)
  table.SplitV = ({ named: { x }, attrs, backend }) => {
    if (!NATIVE_DTYPES.has(x.dtype)) return null;
    const axis = util.parseAxisParam(attrs.axis as number, x.shape)[0];
    const sizes = backend_util.prepareSplitSize(x, attrs.numOrSizeSplits as number[] | number, axis);
    const begin = x.shape.map(() => 0);
    return sizes.map((n) => {
      const size = x.shape.map((d, i) => (i === axis ? n : d));
      const info = output(backend, size, x.dtype, (y) => addon.slice(values(backend, x), x.shape, begin, size, y));
      begin[axis] += n;
      return info;
    });
  };
  table.PadV2 = ({ named: { x }, attrs, backend }) => {
    if (x.dtype !== 'float32') return null;
    const paddings = attrs.paddings as Array<[number, number]>;
    const shape = x.shape.map((d, i) => d + paddings[i][0] + paddings[i][1]);
    return output(backend, shape, 'float32', (y) =>
      addon.pad(
        values(backend, x),
        x.shape,
        paddings.map((p) => p[0]),
        paddings.map((p) => p[1]),
        attrs.constantValue as number,
        y,
        shape,
      ),
    );
  };
  table.Concat = ({ inputs, attrs, backend }) => {
    const parts = inputs.filter((t) => sizeOf(t.shape) > 0);
    if (parts.length < 2 || !parts.every((t) => t.dtype === parts[0].dtype && NATIVE_DTYPES.has(t.dtype))) return null;
    const axis = util.parseAxisParam(attrs.axis as number, parts[0].shape)[0];
    const shape = backend_util.computeOutShape(
      parts.map((t) => t.shape),
      axis,
    );
    return output(backend, shape, parts[0].dtype, (y) =>
      addon.concat(
        parts.map((t) => values(backend, t)),
        parts.map((t) => t.shape),
        axis,
        y,
        shape,
      ),
    );
  };
  table.Reverse = ({ named: { x }, attrs, backend }) => {
    if (!NATIVE_DTYPES.has(x.dtype)) return null;
    const axes = util.parseAxisParam(attrs.dims as number[], x.shape);
    return output(backend, [...x.shape], x.dtype, (y) => addon.reverse(values(backend, x), x.shape, axes, y));
  };
  table.Tile = ({ named: { x }, attrs, backend }) => {
    if (!NATIVE_DTYPES.has(x.dtype)) return null;
    const reps = attrs.reps as number[];
    const shape = x.shape.map((d, i) => d * reps[i]);
    return output(backend, shape, x.dtype, (y) => addon.tile(values(backend, x), x.shape, reps, y, shape));
  };
  table.BatchMatMul = ({ named: { a, b }, attrs, backend }) => {
    if (!allFloat([a, b]) || a.shape.length !== 3 || b.shape.length !== 3) return null;
    const [ta, tb] = [attrs.transposeA as boolean, attrs.transposeB as boolean];
    if (a.shape[0] !== b.shape[0] && a.shape[0] !== 1 && b.shape[0] !== 1) return null;
    const M = ta ? a.shape[2] : a.shape[1];
    const N = tb ? b.shape[1] : b.shape[2];
    const shape = [Math.max(a.shape[0], b.shape[0]), M, N];
    return output(backend, shape, 'float32', (y) =>
      addon.batchMatMul(values(backend, a) as Float32Array, a.shape, values(backend, b) as Float32Array, b.shape, ta, tb, y as Float32Array, shape),
    );
  };
  table.Softmax = ({ named: { logits }, attrs, backend }) => {
    const dim = attrs.dim as number;
    if (logits.dtype !== 'float32' || (dim !== -1 && dim !== logits.shape.length - 1)) return null;
    return output(backend, [...logits.shape], 'float32', (y) => addon.softmax(values(backend, logits) as Float32Array, logits.shape, y as Float32Array));
  };
  table.Select = ({ named: { condition, t, e }, backend }) => {
    if (condition.dtype !== 'bool' || !allFloat([t, e]) || !util.arraysEqual(t.shape, e.shape)) return null;
    return output(backend, [...t.shape], 'float32', (y) =>
      addon.select(values(backend, condition), condition.shape, values(backend, t), values(backend, e), t.shape, y),
    );
  };
  return table;
}

/**
 * Kernel configs for the torch backend: each native kernel wraps the cpu kernel of the same name, used when
 * the native one declines (returns null) for a dtype or layout it does not handle.
 */
export function torchStockKernels(addon: TorchAddon, backendName: string, cpuKernels: KernelConfig[]): KernelConfig[] {
  const table = natives(addon);
  const byName = new Map(cpuKernels.map((k) => [k.kernelName, k]));
  return Object.entries(table).flatMap(([kernelName, native]) => {
    const fallback = byName.get(kernelName);
    if (!fallback) return [];
    const kernelFunc: KernelFunc = (args) => {
      const inputs = Object.values(args.inputs) as TensorInfo[];
      const r = native({ inputs, named: args.inputs as Record<string, TensorInfo>, attrs: args.attrs ?? {}, backend: args.backend as MathBackendCPU });
      return r ?? fallback.kernelFunc(args);
    };
    return [{ kernelName, backendName, kernelFunc }];
  });
}

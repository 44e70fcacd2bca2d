/** Elementwise kernels: unary and binary arithmetic, comparisons, casts, select, fills, uniform noise. */
import { backend_util, upcastType, type DataType, type TensorInfo } from '@tensorflow/tfjs-core';
import { PVNAS_RANDOM_UNIFORM, PVNAS_RELU_GRAD } from '../../kernel-names';
import { input, nativeDtype, type KernelArgs, type KernelTable } from './kernel';

const BINARY: Array<[string, string]> = [
  ['Add', 'add'],
  ['Sub', 'sub'],
  ['Multiply', 'mul'],
  ['RealDiv', 'div'],
  ['Maximum', 'maximum'],
  ['Minimum', 'minimum'],
  ['Pow', 'pow'],
  ['SquaredDifference', 'sqdiff'],
];
const COMPARE: Array<[string, string]> = [
  ['Equal', 'equal'],
  ['NotEqual', 'notEqual'],
  ['Greater', 'greater'],
  ['GreaterEqual', 'greaterEqual'],
  ['Less', 'less'],
  ['LessEqual', 'lessEqual'],
];
/** Unary kernels whose result is float32 whatever the input, and those that keep the input's dtype. */
const FLOAT_UNARY: Array<[string, string]> = [
  ['Exp', 'exp'],
  ['Log', 'log'],
  ['Sqrt', 'sqrt'],
  ['Rsqrt', 'rsqrt'],
  ['Reciprocal', 'reciprocal'],
  ['Sigmoid', 'sigmoid'],
  ['Tanh', 'tanh'],
  ['Step', 'step'],
];
const SAME_UNARY: Array<[string, string]> = [
  ['Relu', 'relu'],
  ['Square', 'square'],
  ['Neg', 'neg'],
  ['Abs', 'abs'],
];

function binary(name: string, op: string, outDtype?: DataType) {
  return (args: KernelArgs): TensorInfo => {
    const a = input(args, 'a', name),
      b = input(args, 'b', name);
    const shape = backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    const dtype = outDtype ?? (op === 'div' ? 'float32' : upcastType(a.dtype, b.dtype));
    const n = args.backend.native;
    return args.backend.output(n.binary(op, args.backend.handle(a), args.backend.handle(b), nativeDtype(dtype, name)), shape, dtype);
  };
}

function unary(name: string, op: string, float: boolean) {
  return (args: KernelArgs): TensorInfo => {
    const x = input(args, 'x', name);
    const { backend: b } = args;
    if (op === 'step' && ((args.attrs.alpha as number | undefined) ?? 0) !== 0) throw new Error('torch backend: Step with alpha != 0 is not implemented');
    if (!float || x.dtype === 'float32') return b.output(b.native.unary(op, b.handle(x)), [...x.shape], x.dtype);
    const xf = b.native.cast(b.handle(x), 'float32');
    try {
      return b.output(b.native.unary(op, xf), [...x.shape], 'float32');
    } finally {
      b.native.free(xf);
    }
  };
}

export const elementwiseKernels: KernelTable = {
  ...Object.fromEntries(BINARY.map(([name, op]) => [name, binary(name, op)])),
  ...Object.fromEntries(COMPARE.map(([name, op]) => [name, binary(name, op, 'bool')])),
  ...Object.fromEntries(FLOAT_UNARY.map(([name, op]) => [name, unary(name, op, true)])),
  ...Object.fromEntries(SAME_UNARY.map(([name, op]) => [name, unary(name, op, false)])),
  /** dy, x -> dy where x > 0 (one pass; tfjs's Relu gradient takes three). */
  [PVNAS_RELU_GRAD]: (args) => {
    const dy = input(args, 'dy', PVNAS_RELU_GRAD),
      x = input(args, 'x', PVNAS_RELU_GRAD);
    const b = args.backend;
    return b.output(b.native.binary('reluGrad', b.handle(dy), b.handle(x), 'float32'), [...x.shape], 'float32');
  },
  Cast: (args) => {
    const x = input(args, 'x', 'Cast');
    const dtype = args.attrs.dtype as DataType;
    if (dtype === x.dtype) return args.backend.alias(x, [...x.shape]);
    return args.backend.output(args.backend.native.cast(args.backend.handle(x), nativeDtype(dtype, 'Cast')), [...x.shape], dtype);
  },
  Select: (args) => {
    const [c, t, e] = (['condition', 't', 'e'] as const).map((k) => input(args, k, 'Select'));
    const b = args.backend;
    return b.output(b.native.where(b.handle(c), b.handle(t), b.handle(e)), [...t.shape], upcastType(t.dtype, e.dtype));
  },
  Fill: ({ attrs, backend }) => {
    const shape = attrs.shape as number[];
    const dtype = (attrs.dtype as DataType | undefined) ?? 'float32';
    return backend.output(backend.native.fill(shape, attrs.value as number, nativeDtype(dtype, 'Fill')), [...shape], dtype);
  },
  [PVNAS_RANDOM_UNIFORM]: ({ attrs, backend }) => {
    const shape = attrs.shape as number[];
    return backend.output(backend.native.randomUniform(shape, attrs.seed as number), [...shape], 'float32');
  },
  ZerosLike: (args) => {
    const x = input(args, 'x', 'ZerosLike');
    return args.backend.output(args.backend.native.fill(x.shape, 0, nativeDtype(x.dtype, 'ZerosLike')), [...x.shape], x.dtype);
  },
  OnesLike: (args) => {
    const x = input(args, 'x', 'OnesLike');
    return args.backend.output(args.backend.native.fill(x.shape, 1, nativeDtype(x.dtype, 'OnesLike')), [...x.shape], x.dtype);
  },
  OneHot: (args) => {
    const indices = input(args, 'indices', 'OneHot');
    const { depth, onValue, offValue } = args.attrs as { depth: number; onValue: number; offValue: number };
    const dtype = (args.attrs.dtype as DataType | undefined) ?? 'int32';
    const b = args.backend;
    return b.output(b.native.oneHot(b.handle(indices), depth, onValue, offValue, nativeDtype(dtype, 'OneHot')), [...indices.shape, depth], dtype);
  },
};

/**
 * Writes a network as a TensorFlow GraphDef in tfjs's graph-model JSON (what tfjs-converter produces and
 * `tf.loadGraphModel` runs). Only ops that the stock tfjs executor runs on every backend are emitted.
 *
 * Video tensors travel in the frames layout [N*T, H, W, C] (T fixed at export time, N free: -1; each node
 * knows its T, which a temporal stride changes); the helpers below mirror ../backend/ops/video.ts, with
 * PyTorch's symmetric padding made explicit.
 */
import * as tf from '@tensorflow/tfjs-core';
import { BN_EPS } from '../backend/ops/batch-norm';

/** A node's output: its name, static shape (-1 for the free batch axis) and, for video tensors, frames per clip. */
export interface GNode {
  name: string;
  shape: number[];
  frames: number;
}

type AttrValue =
  | { s: string }
  | { i: string }
  | { f: number }
  | { b: boolean }
  | { type: 'DT_FLOAT' | 'DT_INT32' }
  | { list: { i: string[] } }
  | { shape: { dim: Array<{ size: string }> } };

interface NodeDef {
  name: string;
  op: string;
  input: string[];
  attr: Record<string, AttrValue>;
}

const str = (s: string): AttrValue => ({ s: Buffer.from(s).toString('base64') });
const ints = (xs: number[]): AttrValue => ({ list: { i: xs.map(String) } });
const shapeAttr = (shape: number[]): AttrValue => ({ shape: { dim: shape.map((d) => ({ size: String(d) })) } });

function convOut(size: number, k: number, stride: number, pad: number, dilation: number): number {
  return Math.floor((size + 2 * pad - dilation * (k - 1) - 1) / stride) + 1;
}

export interface SpatialConvOptions {
  stride?: number;
  /** Default keeps the size at stride 1: dilation * (k - 1) / 2. */
  pad?: number;
  dilation?: number;
  /** 1 (dense) or C (depthwise). */
  groups?: number;
}

export class GraphBuilder {
  private readonly nodes: NodeDef[] = [];
  private readonly constants: Array<{ name: string; value: tf.Tensor }> = [];
  private readonly used = new Set<string>();

  /** `names`: the parameter name of each variable (weights are stored under it). `frames`: T. */
  constructor(
    private readonly names: Map<tf.Variable, string>,
    readonly frames: number,
  ) {}

  private unique(base: string): string {
    const clean = base.replace(/[^A-Za-z0-9_.\-/]/g, '_');
    let name = clean;
    for (let k = 1; this.used.has(name); k++) name = `${clean}_${k}`;
    this.used.add(name);
    return name;
  }

  private node(
    op: string,
    inputs: GNode[],
    shape: number[],
    attr: Record<string, AttrValue> = {},
    name = op,
    frames = inputs[0]?.frames ?? this.frames,
  ): GNode {
    const n = { name: this.unique(name), op, input: inputs.map((x) => x.name), attr };
    this.nodes.push(n);
    return { name: n.name, shape, frames };
  }

  private constant(base: string, value: tf.Tensor): GNode {
    const dtype = value.dtype === 'int32' ? 'DT_INT32' : 'DT_FLOAT';
    const g = this.node(
      'Const',
      [],
      value.shape,
      { dtype: { type: dtype }, value: { tensor: { dtype, tensorShape: { dim: value.shape.map((d) => ({ size: String(d) })) } } } as never },
      base,
    );
    this.constants.push({ name: g.name, value });
    return g;
  }

  input(name: string, shape: number[]): GNode {
    return this.node('Placeholder', [], shape, { dtype: { type: 'DT_FLOAT' }, shape: shapeAttr(shape) }, name);
  }

  /** A network parameter, stored under its parameter name, optionally reshaped (same memory order). */
  weight(v: tf.Variable, shape: number[] = v.shape): GNode {
    const name = this.names.get(v);
    if (name === undefined) throw new Error(`graph export: variable ${v.name} is not a parameter of the network`);
    return this.constant(name, tf.reshape(v, shape));
  }

  floats(name: string, value: tf.Tensor): GNode {
    return this.constant(`const/${name}`, tf.cast(value, 'float32'));
  }

  ints(values: number[], shape = [values.length]): GNode {
    return this.constant('const/i', tf.tensor(values, shape, 'int32'));
  }

  int(value: number): GNode {
    return this.constant('const/i', tf.scalar(value, 'int32'));
  }

  relu(x: GNode): GNode {
    return this.node('Relu', [x], x.shape);
  }

  add(a: GNode, b: GNode): GNode {
    return this.node('AddV2', [a, b], a.shape);
  }

  mul(a: GNode, b: GNode): GNode {
    return this.node('Mul', [a, b], a.shape);
  }

  reshape(x: GNode, shape: number[]): GNode {
    return this.node('Reshape', [x, this.ints(shape)], shape);
  }

  concat(xs: GNode[], axis: number): GNode {
    const shape = [...xs[0].shape];
    shape[axis] = xs.reduce((s, x) => s + x.shape[axis], 0);
    return this.node('ConcatV2', [...xs, this.int(axis)], shape, { N: { i: String(xs.length) } });
  }

  /** [-1, H, W, C] -> rows/columns from `offset` with step `step` (free batch and channels). */
  subsample(x: GNode, offset: number, step: number): GNode {
    const [, H, W, C] = x.shape;
    const out = (n: number) => Math.max(0, Math.ceil((n - offset) / step));
    return this.node('StridedSlice', [x, this.ints([0, offset, offset, 0]), this.ints([0, H, W, 0]), this.ints([1, step, step, 1])], [-1, out(H), out(W), C], {
      begin_mask: { i: '9' },
      end_mask: { i: '9' },
    });
  }

  pad(x: GNode, paddings: Array<[number, number]>, value = 0): GNode {
    const shape = x.shape.map((d, i) => (d < 0 ? d : d + paddings[i][0] + paddings[i][1]));
    return this.node('PadV2', [x, this.ints(paddings.flat(), [paddings.length, 2]), this.floats('pad_value', tf.scalar(value))], shape);
  }

  /** x [-1, H, W, Cin], w [kh, kw, Cin / groups, Cout]: PyTorch's conv2d with symmetric zero padding. */
  conv2d(x: GNode, w: tf.Variable, o: SpatialConvOptions = {}): GNode {
    const [kh, kw, , Cout] = w.shape;
    const [, H, W, Cin] = x.shape;
    const stride = o.stride ?? 1;
    const dilation = o.dilation ?? 1;
    const [ph, pw] = o.pad === undefined ? [(dilation * (kh - 1)) / 2, (dilation * (kw - 1)) / 2] : [o.pad, o.pad];
    const depthwise = (o.groups ?? 1) > 1;
    if (depthwise && o.groups !== Cin) throw new Error(`graph export: groups ${o.groups} must be 1 or the ${Cin} input channels`);
    // tfjs refuses stride > 1 together with dilation > 1: convolve densely, then keep every stride-th output
    if (stride > 1 && dilation > 1) return this.subsample(this.conv2d(x, w, { ...o, stride: 1 }), 0, stride);
    const attr = {
      strides: ints([1, stride, stride, 1]),
      dilations: ints([1, dilation, dilation, 1]),
      padding: str('EXPLICIT'),
      explicit_paddings: ints([0, 0, ph, ph, pw, pw, 0, 0]),
      data_format: str('NHWC'),
    };
    const shape = [-1, convOut(H, kh, stride, ph, dilation), convOut(W, kw, stride, pw, dilation), Cout];
    if (!depthwise) return this.node('Conv2D', [x, this.weight(w)], shape, attr);
    return this.node('DepthwiseConv2dNative', [x, this.weight(w, [kh, kw, Cin, 1])], shape, attr);
  }

  /** 1 x kh x kw convolution of a frames-layout tensor (see ../backend/ops/video.ts spatialConv). */
  spatialConv(x: GNode, w: tf.Variable, o: SpatialConvOptions = {}): GNode {
    return this.conv2d(x, w, o);
  }

  /** kt x 1 x 1 convolution over time: [N*T, H, W, C] -> [N, T, H*W, C] -> conv [kt, 1] (stride [s, 1]) -> back. */
  temporalConv(x: GNode, w: tf.Variable, stride = 1): GNode {
    const [, H, W, C] = x.shape;
    const [kt, kw, , Cout] = w.shape as [number, number, number, number];
    if (kt % 2 !== 1 || kw !== 1) throw new Error(`graph export: temporal kernel [${w.shape}] must be [odd, 1, Cin, Cout]`);
    if (stride === 1) return this.reshape(this.conv2d(this.reshape(x, [-1, x.frames, H * W, C]), w), [-1, H, W, Cout]);
    const pad = (kt - 1) / 2;
    const y = this.node('Conv2D', [this.reshape(x, [-1, x.frames, H * W, C]), this.weight(w)], [-1, convOut(x.frames, kt, stride, pad, 1), H * W, Cout], {
      strides: ints([1, stride, 1, 1]),
      dilations: ints([1, 1, 1, 1]),
      padding: str('EXPLICIT'),
      explicit_paddings: ints([0, 0, pad, pad, 0, 0, 0, 0]),
      data_format: str('NHWC'),
    });
    return { ...this.reshape(y, [-1, H, W, Cout]), frames: y.shape[1] };
  }

  /** Frames 0, s, 2s, ... of each clip (../backend/ops/video.ts temporalSubsample). */
  temporalSubsample(x: GNode, s: number): GNode {
    if (s === 1) return x;
    const [, H, W, C] = x.shape;
    const T = x.frames;
    const To = Math.ceil(T / s);
    const clips = this.reshape(x, [-1, T, H * W * C]);
    const y = this.node('StridedSlice', [clips, this.ints([0, 0, 0]), this.ints([0, T, 0]), this.ints([1, s, 1])], [-1, To, H * W * C], {
      begin_mask: { i: '5' },
      end_mask: { i: '5' },
    });
    return { ...this.reshape(y, [-1, H, W, C]), frames: To };
  }

  /** 1x3x3 average pool, padding 1, padding not counted: sum of the zero-padded window / its valid count. */
  spatialAvgPool(x: GNode, stride: number): GNode {
    const [, H, W] = x.shape;
    const pooled = this.pool(
      'AvgPool',
      this.pad(x, [
        [0, 0],
        [1, 1],
        [1, 1],
        [0, 0],
      ]),
      stride,
    );
    const [, Ho, Wo] = pooled.shape;
    const valid = (i: number, n: number) => Math.min(i * stride + 1, n - 1) - Math.max(i * stride - 1, 0) + 1;
    const scale = new Float32Array(Ho * Wo);
    for (let i = 0; i < Ho; i++) for (let j = 0; j < Wo; j++) scale[i * Wo + j] = 9 / (valid(i, H) * valid(j, W));
    return this.mul(pooled, this.floats('avg_pool_scale', tf.tensor4d(scale, [1, Ho, Wo, 1])));
  }

  /** 1x3x3 max pool, padding 1 (padded with -inf so it never wins). */
  spatialMaxPool(x: GNode, stride: number): GNode {
    return this.pool(
      'MaxPool',
      this.pad(
        x,
        [
          [0, 0],
          [1, 1],
          [1, 1],
          [0, 0],
        ],
        -Infinity,
      ),
      stride,
    );
  }

  private pool(op: 'AvgPool' | 'MaxPool', x: GNode, stride: number): GNode {
    const [, H, W, C] = x.shape;
    const shape = [-1, convOut(H, 3, stride, 0, 1), convOut(W, 3, stride, 0, 1), C];
    return this.node(op, [x], shape, { ksize: ints([1, 3, 3, 1]), strides: ints([1, stride, stride, 1]), padding: str('VALID'), data_format: str('NHWC') });
  }

  /** Inference batch norm from running statistics; scale 1 and shift 0 when there is no affine. */
  batchNorm(x: GNode, s: { mean: tf.Variable; variance: tf.Variable; gamma?: tf.Variable; beta?: tf.Variable }): GNode {
    const C = x.shape[x.shape.length - 1];
    const scale = s.gamma ? this.weight(s.gamma) : this.floats('bn_scale', tf.ones([C]));
    const offset = s.beta ? this.weight(s.beta) : this.floats('bn_offset', tf.zeros([C]));
    return this.node('FusedBatchNorm', [x, scale, offset, this.weight(s.mean), this.weight(s.variance)], x.shape, { epsilon: { f: BN_EPS } });
  }

  /** [N*T, H, W, C] -> [N, C]: the mean over time and space. */
  globalAvgPool(x: GNode): GNode {
    const [, H, W, C] = x.shape;
    return this.node('Mean', [this.reshape(x, [-1, x.frames * H * W, C]), this.ints([1])], [-1, C], { keep_dims: { b: false } });
  }

  /** x [-1, Cin] w [Cin, Cout] + b [Cout]. */
  linear(x: GNode, w: tf.Variable, b: tf.Variable, name: string): GNode {
    const [, Cout] = w.shape as [number, number];
    const y = this.node('MatMul', [x, this.weight(w)], [-1, Cout], { transpose_a: { b: false }, transpose_b: { b: false } });
    return this.node('BiasAdd', [y, this.weight(b)], y.shape, { data_format: str('NHWC') }, name);
  }

  zeros(x: GNode, stride: number): GNode {
    const y = stride > 1 ? this.subsample(x, 0, stride) : x;
    return this.mul(y, this.floats('zero', tf.scalar(0)));
  }

  /** The GraphDef and its constants (each one an entry of the weights manifest, in node order). */
  build(): { graph: { node: NodeDef[]; library: Record<string, never>; versions: Record<string, never> }; constants: Record<string, tf.Tensor> } {
    return { graph: { node: this.nodes, library: {}, versions: {} }, constants: Object.fromEntries(this.constants.map((c) => [c.name, c.value])) };
  }

  dispose(): void {
    tf.dispose(this.constants.map((c) => c.value));
  }
}

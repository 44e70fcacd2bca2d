/**
 * Convolutions: ours (PvnasConv2D and its gradient, PyTorch padding) and tfjs's stock Conv2D and
 * DepthwiseConv2dNative (NHWC, 'same'/'valid'/explicit padding), which an exported graph model runs.
 */
import { backend_util, type TensorInfo } from '@tensorflow/tfjs-core';
import { conv2dOutShape, type Conv2dAttrs } from '../../geometry';
import { PVNAS_CONV2D, PVNAS_CONV2D_GRAD } from '../../kernel-names';
import type { TorchBackend } from '../backend';
import { input, type KernelArgs, type KernelTable } from './kernel';

type PadParam = 'valid' | 'same' | number | backend_util.ExplicitPadding;

function stockConv(args: KernelArgs, name: string, depthwise: boolean): TensorInfo {
  const x = input(args, 'x', name),
    filter = input(args, 'filter', name);
  const a = args.attrs as {
    strides: number | [number, number];
    pad: PadParam;
    dataFormat?: string;
    dilations?: number | [number, number];
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
  };
  if (a.dataFormat && a.dataFormat !== 'NHWC') throw new Error(`torch backend: ${name} with dataFormat ${a.dataFormat} (NHWC only)`);
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filter.shape as [number, number, number, number],
    a.strides,
    a.dilations ?? 1,
    a.pad,
    a.dimRoundingMode,
    depthwise,
  );
  const b: TorchBackend = args.backend;
  const p = info.padInfo;
  let w = b.handle(filter);
  let groups = 1;
  if (depthwise) {
    // [kh, kw, Cin, m] -> [kh, kw, 1, Cin * m]: output channel c * m + k belongs to group c, as in PyTorch
    const [kh, kw, cin, m] = filter.shape;
    w = b.handle({ ...filter, shape: [kh, kw, 1, cin * m] });
    groups = cin;
  }
  const y = b.native.conv2d(
    b.handle(x),
    w,
    [info.strideHeight, info.strideWidth],
    [p.top, p.bottom, p.left, p.right],
    [info.dilationHeight, info.dilationWidth],
    groups,
  );
  return b.output(y, [...info.outShape], 'float32');
}

export const convKernels: KernelTable = {
  [PVNAS_CONV2D]: (args) => {
    const x = input(args, 'x', PVNAS_CONV2D),
      w = input(args, 'w', PVNAS_CONV2D);
    const a = args.attrs as unknown as Conv2dAttrs;
    const b = args.backend;
    const pads = [a.pad[0], a.pad[0], a.pad[1], a.pad[1]];
    return b.output(b.native.conv2d(b.handle(x), b.handle(w), a.stride, pads, a.dilation, a.groups), conv2dOutShape(x.shape, w.shape, a), 'float32');
  },
  [PVNAS_CONV2D_GRAD]: (args) => {
    const [dy, x, w] = (['dy', 'x', 'w'] as const).map((k) => input(args, k, PVNAS_CONV2D_GRAD));
    const a = args.attrs as unknown as Conv2dAttrs;
    const b = args.backend;
    const [dx, dw] = b.native.conv2dBackward(b.handle(dy), b.handle(x), b.handle(w), a.stride, a.pad, a.dilation, a.groups, true, true);
    return [b.output(dx, [...x.shape], 'float32'), b.output(dw, [...w.shape], 'float32')];
  },
  Conv2D: (args) => stockConv(args, 'Conv2D', false),
  DepthwiseConv2dNative: (args) => stockConv(args, 'DepthwiseConv2dNative', true),
};

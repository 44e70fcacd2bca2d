/** BatchMatMul (batch dimensions broadcast as tfjs) and Softmax. */
import { backend_util } from '@tensorflow/tfjs-core';
import { input, type KernelTable } from './kernel';

export const matmulKernels: KernelTable = {
  BatchMatMul: (args) => {
    const a = input(args, 'a', 'BatchMatMul'),
      b = input(args, 'b', 'BatchMatMul');
    const ta = Boolean(args.attrs.transposeA),
      tb = Boolean(args.attrs.transposeB);
    const batch = backend_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
    const M = ta ? a.shape[a.shape.length - 1] : a.shape[a.shape.length - 2];
    const N = tb ? b.shape[b.shape.length - 2] : b.shape[b.shape.length - 1];
    const be = args.backend;
    return be.output(be.native.matMul(be.handle(a), be.handle(b), ta, tb), [...batch, M, N], 'float32');
  },
  Softmax: (args) => {
    const logits = input(args, 'logits', 'Softmax');
    const dim = args.attrs.dim as number;
    return args.backend.output(
      args.backend.native.softmax(args.backend.handle(logits), dim < 0 ? logits.shape.length + dim : dim),
      [...logits.shape],
      'float32',
    );
  },
};

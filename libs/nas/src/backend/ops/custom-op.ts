/** A typed face of tf.customGrad: inputs as an array, our gradient function over the saved tensors. */
import * as tf from '@tensorflow/tfjs-core';

export interface CustomOpResult<T extends tf.Tensor> {
  value: T;
  gradFunc: (dy: T, saved: tf.Tensor[]) => tf.Tensor | tf.Tensor[];
}

export function customOp<T extends tf.Tensor>(inputs: tf.Tensor[], f: (inputs: tf.Tensor[], save: tf.GradSaveFunc) => CustomOpResult<T>): T {
  const op = tf.customGrad(((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    return f(args.slice(0, -1) as tf.Tensor[], save);
  }) as unknown as Parameters<typeof tf.customGrad<T>>[0]);
  return op(...inputs) as T;
}

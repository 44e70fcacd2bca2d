/**
 * Test harness: run an op on each backend present (and each route it can take there), compare its forward
 * with the float64 reference and its gradients with finite differences of the reference.
 */
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend, type BackendName } from '../select';
import { forceRoute, type OpRoute } from '../ops/route';
import { dot, maxRelError, numericGradients, randomArr, type Arr } from './reference';

export interface Setup {
  backend: BackendName;
  route: OpRoute;
}

/** Backends that start here, each with the routes worth testing on it. */
export async function availableSetups(): Promise<Setup[]> {
  const setups: Setup[] = [];
  for (const backend of ['torch', 'wasm', 'cpu'] as const) {
    try {
      await selectBackend({ backend, log: null });
    } catch {
      continue;
    }
    // torch shares the cpu backend's stock kernels: its composite route is the cpu one
    setups.push({ backend, route: backend === 'torch' ? 'kernel' : 'composite' });
    // stock tfjs gradients are only trusted on tfjs-node; check their logic where they are right and present
    if (backend === 'cpu') setups.push({ backend, route: 'stock' });
  }
  return setups;
}

export async function use(setup: Setup): Promise<void> {
  await selectBackend({ backend: setup.backend, log: null });
  forceRoute(setup.route);
}

export interface GradCheck {
  forwardError: number;
  gradErrors: number[];
}

/**
 * `op` maps tensors to one tensor; `ref` is its float64 definition. Returns the forward error and, for each
 * input, the gradient error of loss = sum(y * r) against central differences.
 */
export function gradCheck(op: (...xs: tf.Tensor[]) => tf.Tensor, ref: (xs: Arr[]) => Arr, inputs: Arr[], seed = 7): GradCheck {
  const yRef = ref(inputs);
  const r = randomArr(yRef.shape, seed).data;
  const numeric = numericGradients((xs) => dot(ref(xs), r), inputs);
  return tf.tidy(() => {
    const ts = inputs.map((a) => tf.tensor(Float32Array.from(a.data), a.shape));
    const rT = tf.tensor(Float32Array.from(r), yRef.shape);
    const y = op(...ts);
    if (y.shape.join() !== yRef.shape.join()) throw new Error(`shape [${y.shape}] where the reference has [${yRef.shape}]`);
    const forwardError = maxRelError(y.dataSync(), yRef.data);
    const grads = tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(op(...xs), rT)))(ts);
    return { forwardError, gradErrors: grads.map((g, k) => maxRelError(g.dataSync(), numeric[k])) };
  });
}

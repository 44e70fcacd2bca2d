/**
 * Which implementation an op takes on the current backend:
 * - `kernel`: our kernels (kernel-names.ts) with registered gradients; the `torch` backend.
 * - `stock`: composites of stock tfjs ops, differentiated by tfjs itself; used where tfjs's own gradients
 *   are right (the native `tensorflow` backend of tfjs-node / tfjs-node-gpu).
 * - `composite`: the same forward composites with our own gradients (tf.customGrad) built only from
 *   kernels that exist and are right on `wasm` and `cpu`.
 */
import { getBackend } from '@tensorflow/tfjs-core';
import '../gradients'; // stock gradients and chained tensor methods (x.reshape) come with @tensorflow/tfjs
import { hasKernel } from '../kernel-names';

export type OpRoute = 'kernel' | 'stock' | 'composite';

let forced: OpRoute | undefined;

/** Tests and benchmarks force a route to compare them on one backend; `undefined` restores the default. */
export function forceRoute(route: OpRoute | undefined): void {
  forced = route;
}

export function routeFor(kernelName: string): OpRoute {
  if (forced) return forced === 'kernel' && !hasKernel(kernelName) ? 'composite' : forced;
  if (hasKernel(kernelName)) return 'kernel';
  return getBackend() === 'tensorflow' ? 'stock' : 'composite';
}

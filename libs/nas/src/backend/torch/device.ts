/**
 * Which device the `torch` backend computes on: `--device cpu|cuda|cuda:N` (config key `device`), default
 * `auto` = `cuda` when the addon was built with CUDA and sees a GPU, else `cpu`. Pure apart from asking the addon.
 */
import { z } from 'zod';
import type { TorchNative } from './native';

export const deviceRequestSchema = z
  .string()
  .regex(/^(auto|cpu|cuda(:\d+)?)$/, 'expected auto, cpu, cuda or cuda:N')
  .default('auto');
export type DeviceRequest = z.infer<typeof deviceRequestSchema>;

/** The device to use for `request`; throws saying why when a GPU is asked for and there is none. */
export function resolveDevice(request: DeviceRequest, native: Pick<TorchNative, 'version'>): string {
  const { cuda, gpus } = native.version();
  if (request === 'auto') return cuda && gpus > 0 ? 'cuda:0' : 'cpu';
  if (request === 'cpu') return 'cpu';
  if (!cuda)
    throw new Error(
      `device ${request}: the torch addon was built against a libtorch without CUDA (see npx pvnas doctor for how to build it against a PyTorch with CUDA)`,
    );
  const index = request === 'cuda' ? 0 : Number(request.slice(5));
  if (index >= gpus) throw new Error(`device ${request}: ${gpus} GPU(s) visible (CUDA_VISIBLE_DEVICES=${process.env.CUDA_VISIBLE_DEVICES ?? 'unset'})`);
  return `cuda:${index}`;
}

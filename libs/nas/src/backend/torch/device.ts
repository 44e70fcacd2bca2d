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

/**
 * The device to use for `request`; throws saying why when a GPU is asked for and there is none. `localRank`: this
 * process's place among the data-parallel processes of its node: `auto` and `cuda` then mean GPU `localRank`
 * (one GPU per process, torchrun's convention).
 */
export function resolveDevice(request: DeviceRequest, native: Pick<TorchNative, 'version'>, localRank = 0): string {
  const { cuda, gpus } = native.version();
  if (request === 'cpu' || (request === 'auto' && !(cuda && gpus > 0))) return 'cpu';
  if (!cuda)
    throw new Error(
      `device ${request}: the torch addon was built against a libtorch without CUDA (see npx pvnas doctor for how to build it against a PyTorch with CUDA)`,
    );
  const visible = `(CUDA_VISIBLE_DEVICES=${process.env.CUDA_VISIBLE_DEVICES ?? 'unset'})`;
  if (request === 'auto' || request === 'cuda') {
    if (localRank >= gpus)
      throw new Error(
        localRank === 0
          ? `device ${request}: ${gpus} GPU(s) visible ${visible}`
          : `device ${request}: process ${localRank} of this node takes GPU ${localRank}, but ${gpus} GPU(s) are visible ${visible}: start at most ${gpus} processes per node`,
      );
    return `cuda:${localRank}`;
  }
  const index = Number(request.slice(5));
  if (index >= gpus) throw new Error(`device ${request}: ${gpus} GPU(s) visible ${visible}`);
  return `cuda:${index}`;
}

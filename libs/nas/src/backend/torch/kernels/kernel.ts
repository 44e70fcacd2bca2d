/**
 * What a kernel of the `torch` backend is: a function of tfjs's kernel arguments with the backend typed, in a
 * table by kernel name (each family file exports one table; register.ts registers them all).
 */
import type { NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { TorchBackend } from '../backend';
import type { NativeDtype } from '../native';

export interface KernelArgs {
  inputs: Record<string, TensorInfo | undefined>;
  attrs: NamedAttrMap;
  backend: TorchBackend;
}

export type TorchKernel = (args: KernelArgs) => TensorInfo | TensorInfo[];
export type KernelTable = Record<string, TorchKernel>;

/** The input `name`; throws naming the kernel when it is missing. */
export function input(args: KernelArgs, name: string, kernel: string): TensorInfo {
  const t = args.inputs[name];
  if (!t) throw new Error(`torch backend: ${kernel} has no input ${name}`);
  return t;
}

export const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

export function nativeDtype(dtype: string, kernel: string): NativeDtype {
  if (dtype === 'float32' || dtype === 'int32' || dtype === 'bool') return dtype;
  throw new Error(`torch backend: ${kernel} on dtype ${dtype}; the backend holds float32, int32 and bool tensors only`);
}

/**
 * Kernels of our own that tfjs does not have (or has wrong), with their gradients registered in tfjs's
 * registry. Only the `torch` backend implements them; on other backends the ops use composites of stock
 * kernels instead (see ops/*), so `hasKernel` decides the route.
 */
import { getKernel, getBackend } from '@tensorflow/tfjs-core';

/** x [B, H, W, Cin], w [kh, kw, Cin/g, Cout] -> y [B, Ho, Wo, Cout]; attrs Conv2dAttrs. */
export const PVNAS_CONV2D = 'PvnasConv2D';
/** dy, x, w -> [dx, dw]; attrs Conv2dAttrs. */
export const PVNAS_CONV2D_GRAD = 'PvnasConv2DGrad';
/** x -> y; attrs Pool2dAttrs; padding is not counted in the average. */
export const PVNAS_AVG_POOL = 'PvnasAvgPool';
/** dy, x -> dx. */
export const PVNAS_AVG_POOL_GRAD = 'PvnasAvgPoolGrad';
/** x -> y; attrs Pool2dAttrs. */
export const PVNAS_MAX_POOL = 'PvnasMaxPool';
/** dy, x -> dx: each window's gradient goes to its first arg-max. */
export const PVNAS_MAX_POOL_GRAD = 'PvnasMaxPoolGrad';
/** Training-mode batch norm over rows: x [P, C] -> [y [P, C], mean [C], invstd [C]]; attrs { eps }. */
export const PVNAS_BATCH_NORM = 'PvnasBatchNorm';
/** The same with scale and shift: x [P, C], gamma [C], beta [C] -> [y, mean, invstd]. */
export const PVNAS_BATCH_NORM_AFFINE = 'PvnasBatchNormAffine';
/** dy, x, mean, invstd (+ gamma) -> [dx] or [dx, dgamma, dbeta]; attrs { eps }. */
export const PVNAS_BATCH_NORM_GRAD = 'PvnasBatchNormGrad';

/** dy, x -> dx = dy where x > 0, else 0 (one pass; tfjs's Relu gradient takes three). */
export const PVNAS_RELU_GRAD = 'PvnasReluGrad';
/**
 * A mixed edge's weighted sum: w [numOps], y0..y{K-1} (the non-`none` ops' outputs) -> sum_k w[indices[k]] y_k;
 * one kernel name per K so the gradient can save every input. attrs { indices }.
 */
export const pvnasWeightedSum = (k: number): string => `PvnasWeightedSum${k}`;
/** dy, w, y0..y{K-1} -> [dw [numOps], dy_0..dy_{K-1}]. */
export const PVNAS_WEIGHTED_SUM_GRAD = 'PvnasWeightedSumGrad';
export const MAX_WEIGHTED_TERMS = 8;
/** -> uniform [0, 1) float32 of attrs.shape from a generator seeded with attrs.seed, made on the device. */
export const PVNAS_RANDOM_UNIFORM = 'PvnasRandomUniform';

export function hasKernel(name: string): boolean {
  return getKernel(name, getBackend()) !== undefined;
}

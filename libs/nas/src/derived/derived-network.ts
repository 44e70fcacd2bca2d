/**
 * The derived network (paper Fig. 5b): stem, the layout's cells built from a genotype, global average pool,
 * dropout 0.4, linear. Drop-path probability ramps linearly with the epoch as DARTS.
 */
import * as tf from '@tensorflow/tfjs-core';
import { globalAvgPool } from '../backend/ops/video';
import { linear } from '../backend/ops/linear';
import type { GNode, GraphBuilder } from '../export/graph-builder';
import type { Ctx } from '../layers/context';
import { uniformNoise } from '../layers/noise';
import { Params } from '../layers/params';
import { Stem, STEM_MULTIPLIER } from '../layers/stem';
import type { Genotype } from '../search-space/genotype';
import { DerivedCell, type DropPath } from './derived-cell';
import { deriveSeed } from '@pvnas/base';
import { cellTemporalStride, type CellType } from '../search-space/cell-types';

export interface DerivedNetworkConfig {
  channels: number;
  classes: number;
  layout: CellType[];
  stemStride: number;
  dropout: number;
  seed: number;
  /** Temporal stride of the T-RC cells' reducing edges (default 1). */
  temporalStride?: number;
}

export class DerivedNetwork {
  readonly params: Params;
  private readonly stem: Stem;
  readonly cells: DerivedCell[] = [];
  private readonly classifier: { w: tf.Variable; b: tf.Variable };

  constructor(
    readonly genotype: Genotype,
    readonly config: DerivedNetworkConfig,
  ) {
    const p = (this.params = new Params(config.seed));
    const Cstem = STEM_MULTIPLIER * config.channels;
    this.stem = new Stem(p.scope('stem'), config.channels, config.stemStride);
    let [Cpp, Cp, Ccur] = [Cstem, Cstem, config.channels];
    let reductionPrev = false;
    let prevTemporalStride = 1;
    config.layout.forEach((type, i) => {
      const reduction = type.endsWith('_reduce');
      if (reduction) Ccur *= 2;
      const ts = cellTemporalStride(type, config.temporalStride);
      const cell = new DerivedCell(p.scope(`cells.${i}`), type, genotype.cells[type], Cpp, Cp, Ccur, reductionPrev, ts, prevTemporalStride);
      this.cells.push(cell);
      [Cpp, Cp] = [Cp, cell.multiplier * Ccur];
      reductionPrev = reduction;
      prevTemporalStride = ts;
    });
    this.classifier = p.scope('classifier').linear('fc', Cp, config.classes);
  }

  /** x [N, T, H, W, 3] -> logits [N, classes]. */
  forward(x: tf.Tensor5D, ctx: Ctx, drop?: DropPath): tf.Tensor2D {
    let s0 = this.stem.forward(x, ctx);
    let s1 = s0;
    this.cells.forEach((cell, i) => {
      [s0, s1] = [s1, cell.forward(s0, s1, ctx, drop ? { prob: drop.prob, seed: deriveSeed(drop.seed, 'cell', i) } : undefined)];
    });
    let pooled = globalAvgPool(s1);
    const p = this.config.dropout;
    if (ctx.training && p > 0) {
      const seed = deriveSeed(drop ? drop.seed : 0, 'dropout');
      pooled = tf.mul(pooled, tf.div(tf.cast(tf.greaterEqual(uniformNoise(pooled.shape, seed), p), 'float32'), 1 - p));
    }
    return linear(pooled, this.classifier.w as tf.Tensor2D, this.classifier.b as tf.Tensor1D);
  }

  /** Inference as graph nodes: video [-1, T, H, W, 3] -> logits [-1, classes] (see ../export). */
  emit(g: GraphBuilder, video: GNode): GNode {
    const [, T, H, W, C] = video.shape;
    if (T !== g.frames) throw new Error(`graph export: input has ${T} frames, the builder ${g.frames}`);
    let s0 = this.stem.emit(g, g.reshape(video, [-1, H, W, C]));
    let s1 = s0;
    for (const cell of this.cells) [s0, s1] = [s1, cell.emit(g, s0, s1)];
    return g.linear(g.globalAvgPool(s1), this.classifier.w, this.classifier.b, 'logits');
  }

  dispose(): void {
    this.params.dispose();
  }
}

/** DARTS: drop_path_prob * epoch / epochs. */
export function dropPathProb(max: number, epoch: number, epochs: number): number {
  return (max * epoch) / epochs;
}

/**
 * Latency for `--max-ms` (budget.ts): milliseconds per clip (batch 1, inference) of the derived network at the budget's
 * target, measured on the running backend and device, as TinyVideoNet and FBNet constrain runtime.
 *
 *  - `networkMs`: a whole derived network, timed (the candidate strategies reject candidates over the budget).
 *  - `latencyTable`: FBNet's lookup table for the differentiable strategies: each op timed once at each input shape of
 *    each cell of the target network (the cell's edges share two shapes: strided or not), and the rest of the network
 *    (stem, preprocessing, classifier) as a reference network's time less its ops' table entries. The expected
 *    latency under softmax(alpha) is then a weighted sum, as the expected GFLOPs are; it assumes ops add up, which
 *    FBNet found close enough to rank, not to promise: the final genotype is timed whole.
 * A timing is the median of `repeats` runs after one warm-up, each ending in a read of the output (so a GPU has
 * finished).
 */
import * as tf from '@tensorflow/tfjs-core';
import { DerivedNetwork } from '../derived/derived-network';
import { EVAL } from '../layers/context';
import { Params } from '../layers/params';
import { edgeOp, type OpName } from '../operations';
import { cellTemporalStride, isReduction, NODES, opsOf, type CellType } from '../search-space/cell-types';
import type { Genotype } from '../search-space/genotype';
import { edgeIndex, type NetworkShape } from '../derived/cost';
import { stemCost } from '../layers/stem';

/** Median milliseconds of `run` (its output read back each time) over `repeats` runs after a warm-up. */
export function timeMs(run: () => tf.Tensor, repeats = 3): number {
  const once = (): number => {
    const t0 = performance.now();
    tf.tidy(() => {
      run().dataSync();
    });
    return performance.now() - t0;
  };
  once();
  const times = Array.from({ length: repeats }, once).sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

/** Milliseconds per clip of `g`'s derived network at `shape` (batch 1, inference). */
export function networkMs(g: Genotype, shape: NetworkShape, repeats = 3): number {
  const net = new DerivedNetwork(g, {
    channels: shape.channels,
    classes: shape.classes,
    layout: shape.layout,
    stemStride: shape.stemStride,
    dropout: 0,
    seed: 1,
    temporalStride: shape.temporalStride,
  });
  const x = tf.randomUniform([1, shape.frames, shape.size, shape.size, 3], -1, 1, 'float32', 1) as tf.Tensor5D;
  try {
    return timeMs(() => net.forward(x, EVAL), repeats);
  } finally {
    x.dispose();
    net.dispose();
  }
}

export interface LatencyTable {
  /** Stem, preprocessing, classifier. */
  fixedMs: number;
  /** cells[i].edges[e][op]: ms of `op` on edge e of the target's i-th cell. */
  cells: Array<{ type: CellType; edges: Array<Record<OpName, number>> }>;
}

/** Times every op at every cell input shape of `shape`; `reference` gives the fixed part (see the file comment). */
export function latencyTable(shape: NetworkShape, reference: Genotype, repeats = 3): LatencyTable {
  let T = shape.frames;
  let H = stemCost(shape.channels, shape.stemStride, T, shape.size).size;
  let C = shape.channels;
  const cells: LatencyTable['cells'] = [];
  for (const type of shape.layout) {
    const reduction = isReduction(type);
    const ts = cellTemporalStride(type, shape.temporalStride);
    if (reduction) C *= 2;
    const timed = new Map<string, number>();
    const opMs = (op: OpName, stride: number, t: number, h: number, temporalStride: number): number => {
      const key = `${op}/${stride}/${t}/${h}/${temporalStride}`;
      if (!timed.has(key)) {
        const params = new Params(1, 'latency');
        const block = edgeOp(op, params, C, stride, false, temporalStride);
        const x = tf.randomUniform([1, t, h, h, C], -1, 1, 'float32', 2) as tf.Tensor5D;
        timed.set(
          key,
          timeMs(() => block.forward(x, EVAL), repeats),
        );
        x.dispose();
        params.dispose();
      }
      return timed.get(key) as number;
    };
    const Tout = Math.ceil(T / ts);
    const edges: Array<Record<OpName, number>> = [];
    for (let node = 0; node < NODES; node++) {
      for (let input = 0; input < node + 2; input++) {
        const reducing = reduction && input < 2;
        const h = reduction && !reducing ? Math.ceil(H / 2) : H;
        const t = reduction && !reducing ? Tout : T;
        edges.push(
          Object.fromEntries(opsOf(type).map((op) => [op, op === 'none' ? 0 : opMs(op, reducing ? 2 : 1, t, h, reducing ? ts : 1)])) as Record<OpName, number>,
        );
      }
    }
    cells.push({ type, edges });
    if (reduction) H = Math.ceil(H / 2);
    T = Tout;
  }
  const whole = networkMs(reference, shape, repeats);
  const ops = cells.reduce(
    (sum, { type, edges }) => sum + reference.cells[type].edges.reduce((s, [op, input], k) => s + edges[edgeIndex(Math.floor(k / 2), input)][op], 0),
    0,
  );
  return { fixedMs: Math.max(0, whole - ops), cells };
}

/** Latency on the running backend: timings, the per-op table of a target network, and its expectation under the alphas. */
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../backend/select';
import { loadTorchAddon } from '../backend/torch/native';
import { defaultLayout } from '../derived/layout';
import { CELL_TYPES, EDGES, NODES, opsOf, type CellType } from '../search-space/cell-types';
import { randomGenotype } from '../search-space/random-arch';
import { expectedMsOf } from './budget';
import { latencyTable, networkMs, timeMs } from './latency';

const shape = { channels: 8, classes: 5, layout: defaultLayout(1), stemStride: 2, frames: 4, size: 32 };

describe('latency', () => {
  beforeAll(async () => {
    await selectBackend({ backend: loadTorchAddon().ok ? 'torch' : 'wasm', log: null });
  });

  it('times a computation by its median, and a derived network per clip; nothing leaks', () => {
    const before = tf.memory().numTensors;
    const x = tf.ones([64, 64]);
    expect(timeMs(() => tf.matMul(x, x), 3)).toBeGreaterThan(0);
    x.dispose();
    expect(networkMs(randomGenotype(2), shape, 1)).toBeGreaterThan(0);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("tables every op at every edge of the target's cells: none costs 0, an identity less than a separable convolution", () => {
    const table = latencyTable(shape, randomGenotype(3), 1);
    expect(table.cells.map((c) => c.type)).toEqual(shape.layout);
    expect(table.fixedMs).toBeGreaterThanOrEqual(0);
    for (const cell of table.cells) {
      expect(cell.edges).toHaveLength(EDGES);
      for (const ops of cell.edges) {
        expect(ops.none).toBe(0);
        for (const op of opsOf(cell.type)) expect(ops[op]).toBeGreaterThanOrEqual(0);
      }
    }
    // a normal cell's edges all see one shape: skip_connect is the identity there
    const normal = table.cells[0];
    expect(normal.edges[0].skip_connect).toBeLessThan(normal.edges[0].sep_conv_1x3x3);
    // the expectation with every edge on sep_conv: the fixed part plus the kept share of each edge's entry
    const alphas = Object.fromEntries(
      CELL_TYPES.map((t) => [t, tf.mul(tf.oneHot(tf.fill([EDGES], opsOf(t).indexOf('sep_conv_1x3x3'), 'int32') as tf.Tensor1D, opsOf(t).length), 40)]),
    ) as Record<CellType, tf.Tensor>;
    let want = table.fixedMs;
    for (const cell of table.cells) {
      let e = 0;
      for (let node = 0; node < NODES; node++) for (let input = 0; input < node + 2; input++) want += (2 / (node + 2)) * cell.edges[e++].sep_conv_1x3x3;
    }
    const got = expectedMsOf(table)(alphas);
    expect(got.dataSync()[0]).toBeCloseTo(want, 3);
    tf.dispose([got, ...Object.values(alphas)]);
  });
});

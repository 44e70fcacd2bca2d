import * as tf from '@tensorflow/tfjs-core';
import { gradients, pathNodes } from './backprop';
import { selectBackend } from './select';
import type { TorchBackend } from './torch/backend';
import { loadTorchAddon } from './torch/native';
import { TRAIN } from '../layers/context';
import { SearchNetwork } from '../search-space/search-network';
import { crossEntropy } from '../train/loss';

describe('gradients (backprop.ts)', () => {
  beforeAll(async () => {
    await selectBackend({ backend: 'cpu', log: null });
  });

  it("equals tfjs's engine.gradients, for every input, with and without a given dy", () => {
    const a = tf.variable(tf.tensor2d([0.5, -1, 2, 0.3], [2, 2]));
    const b = tf.variable(tf.tensor1d([0.1, -0.2]));
    const f = () => tf.sum(tf.mul(tf.relu(tf.add(tf.matMul(a, a), b)), tf.sigmoid(a)));
    const ours = gradients(f, [a, b]);
    const ref = tf.engine().gradients(f, [a, b]);
    expect(ours.value.dataSync()[0]).toBeCloseTo(ref.value.dataSync()[0], 6);
    ours.grads.forEach((g, i) => expect(Array.from(g!.dataSync())).toEqual(Array.from(ref.grads[i].dataSync())));
    const dy = tf.tensor2d([1, 2, 3, 4], [2, 2]);
    const g2 = gradients(() => tf.mul(a, a), [a], dy);
    expect(Array.from(g2.grads[0]!.dataSync())).toEqual([1, -4, 12, 2.4].map((v) => Math.fround(v)));
    tf.dispose([ours.value, ...ours.grads.map((g) => g!), ref.value, ...ref.grads, dy, g2.value, g2.grads[0]!, a, b]);
  });

  (loadTorchAddon().ok ? it : it.skip)('frees what the backward pass no longer needs: a search step holds far less memory at its peak', async () => {
    await selectBackend({ backend: 'torch', device: 'cpu', log: null });
    const net = new SearchNetwork({ channels: 4, classes: 3, stemStride: 2, dropout: 0, seed: 1 });
    const x = tf.randomNormal([2, 4, 32, 32, 3], 0, 1, 'float32', 2) as tf.Tensor5D;
    const labels = tf.tensor1d([0, 2], 'int32');
    const vars = [...net.weights(), ...net.alphaList()];
    const loss = () => crossEntropy(net.forward(x, TRAIN), labels);
    // the bytes libtorch holds (distinct storages), sampled after every kernel output
    const b = tf.backend() as TorchBackend;
    const output = b.output.bind(b);
    let peak = 0,
      calls = 0;
    b.output = (h, shape, dtype) => {
      const r = output(h, shape, dtype);
      if (++calls % 8 === 0) peak = Math.max(peak, b.native.bytes()); // every 8th: bytes() walks every handle
      return r;
    };
    const peakOf = (grad: () => { value: tf.Tensor; grads: Array<tf.Tensor | undefined> }) => {
      const base = b.native.bytes();
      peak = base;
      const r = grad();
      tf.dispose([r.value, ...(r.grads as tf.Tensor[])]);
      expect(b.native.bytes()).toBe(base);
      return peak - base;
    };
    const lean = peakOf(() => gradients(loss, vars));
    const stock = peakOf(() => tf.engine().gradients(loss, vars));
    b.output = output;
    if (process.env.PVNAS_LOG_PEAKS) console.log(`peak bytes: ours ${lean}, engine.gradients ${stock}`);
    expect(lean).toBeLessThan(0.6 * stock);
    tf.dispose([x, labels]);
    net.dispose();
    await selectBackend({ backend: 'cpu', log: null });
  });

  it('keeps only the nodes between the inputs and the value, and only their inputs on that path', () => {
    const a = tf.scalar(1),
      b = tf.scalar(2),
      c = tf.scalar(3);
    const e = tf.engine() as unknown as { startTape(): void; endTape(): void; state: { activeTape: never[] } };
    e.startTape();
    const ab = tf.mul(a, b); // on the path from a
    const side = tf.exp(c); // not reachable from a
    const y = tf.add(ab, side);
    const nodes = pathNodes(e.state.activeTape, [a], y);
    e.endTape();
    expect(nodes.map((n) => [n.kernelName, Object.keys(n.inputs)])).toEqual([
      ['Multiply', ['a']],
      ['Add', ['a']],
    ]);
    tf.dispose([a, b, c, ab, side, y]);
  });
});

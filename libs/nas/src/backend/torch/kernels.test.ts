import * as tf from '@tensorflow/tfjs-core';
import { loadTorchAddon } from './native';
import { selectBackend } from '../select';
import type { TorchBackend } from './backend';

const hasTorch = loadTorchAddon().ok;
const describeTorch = hasTorch ? describe : describe.skip;

/** Runs `f` on the cpu backend and on torch with the same inputs; returns both results as plain arrays. */
async function both(f: () => tf.Tensor | tf.Tensor[]): Promise<{ cpu: number[][]; torch: number[][]; dtypes: string[][]; shapes: number[][][] }> {
  const run = async (backend: 'cpu' | 'torch') => {
    await selectBackend({ backend, log: null });
    return tf.tidy(() => {
      const r = f();
      const list = Array.isArray(r) ? r : [r];
      return {
        values: list.map((t) => Array.from(t.dataSync() as ArrayLike<number>)),
        dtypes: list.map((t) => t.dtype as string),
        shapes: list.map((t) => t.shape),
      };
    });
  };
  const c = await run('cpu');
  const t = await run('torch');
  expect(t.dtypes).toEqual(c.dtypes);
  expect(t.shapes).toEqual(c.shapes);
  return { cpu: c.values, torch: t.values, dtypes: [c.dtypes, t.dtypes], shapes: [c.shapes, t.shapes] };
}

function close(a: number[][], b: number[][], tol = 1e-5): boolean {
  return a.every(
    (row, i) =>
      row.length === b[i].length && row.every((v, k) => (Number.isNaN(v) && Number.isNaN(b[i][k])) || Math.abs(v - b[i][k]) <= tol * Math.max(1, Math.abs(v))),
  );
}

const r = (shape: number[], seed: number) => tf.randomUniform(shape, -2, 2, 'float32', seed);
const pos = (shape: number[], seed: number) => tf.randomUniform(shape, 0.1, 3, 'float32', seed);

const CASES: Array<[string, () => tf.Tensor | tf.Tensor[]]> = [
  [
    'add/sub/mul/div with broadcasting',
    () => [tf.add(r([2, 3, 4], 1), r([4], 2)), tf.sub(r([2, 1, 4], 3), r([3, 1], 4)), tf.mul(r([2, 3], 5), tf.scalar(3)), tf.div(r([5], 6), pos([5], 7))],
  ],
  [
    'maximum, minimum, pow, squaredDifference',
    () => [tf.maximum(r([3, 4], 1), r([4], 2)), tf.minimum(r([3, 4], 3), 0), tf.pow(pos([6], 4), r([6], 5)), tf.squaredDifference(r([2, 5], 6), r([2, 1], 7))],
  ],
  [
    'comparisons give bool',
    () => [
      tf.equal(tf.tensor1d([1, 2, 3]), tf.tensor1d([1, 0, 3])),
      tf.greater(r([3, 4], 1), r([4], 2)),
      tf.lessEqual(tf.tensor1d([1, 2], 'int32'), tf.tensor1d([2, 2], 'int32')),
    ],
  ],
  [
    'unary ops',
    () => {
      const x = r([4, 5], 9);
      return [
        tf.relu(x),
        tf.exp(x),
        tf.log(pos([7], 3)),
        tf.sqrt(pos([7], 4)),
        tf.rsqrt(pos([7], 5)),
        tf.square(x),
        tf.neg(x),
        tf.abs(x),
        tf.reciprocal(pos([3], 6)),
        tf.sigmoid(x),
        tf.tanh(x),
        tf.step(x),
      ];
    },
  ],
  [
    'cast between float32, int32 and bool',
    () => [
      tf.cast(tf.tensor1d([-1.7, 0, 2.9]), 'int32'),
      tf.cast(tf.tensor1d([3, -2], 'int32'), 'float32'),
      tf.cast(tf.tensor1d([0, 0.5, -1]), 'bool'),
      tf.cast(tf.tensor1d([true, false], 'bool'), 'float32'),
    ],
  ],
  [
    'reductions over axes, with and without keepDims',
    () => {
      const x = r([2, 3, 4, 5], 2);
      return [tf.sum(x), tf.sum(x, [1, 3]), tf.mean(x, 2, true), tf.max(x, [0, 2]), tf.min(x, -1), tf.sum(tf.tensor1d([1, 2], 'int32'))];
    },
  ],
  [
    'addN, transpose, slice, pad',
    () => {
      const x = r([2, 3, 4], 3);
      return [
        tf.addN([x, x, r([2, 3, 4], 4)]),
        tf.transpose(x, [2, 0, 1]),
        tf.slice(x, [1, 0, 2], [1, -1, 2]),
        tf.pad(
          x,
          [
            [1, 0],
            [0, 2],
            [1, 1],
          ],
          0.5,
        ),
        tf.transpose(tf.tensor2d([1, 2, 3, 4], [2, 2], 'int32')),
      ];
    },
  ],
  [
    'concat (with an empty part), reverse, tile',
    () => {
      const x = r([2, 3], 5);
      return [tf.concat([x, r([2, 2], 6), tf.zeros([2, 0])], 1), tf.concat([x, x], 0), tf.reverse(x, [0, 1]), tf.tile(x, [2, 3])];
    },
  ],
  [
    'matMul with transposes and batch broadcast',
    () => [tf.matMul(r([3, 4], 1), r([4, 5], 2)), tf.matMul(r([4, 3], 3), r([5, 4], 4), true, true), tf.matMul(r([2, 3, 4], 5), r([1, 4, 2], 6))],
  ],
  [
    'softmax, where, and the fallbacks (int32 add, softmax over a non-last axis via transpose)',
    () => [
      tf.softmax(r([3, 7], 1)),
      tf.where(tf.greater(r([2, 3], 2), 0), r([2, 3], 3), r([2, 3], 4)),
      tf.add(tf.tensor1d([1, 2], 'int32'), tf.tensor1d([3, 4], 'int32')),
    ],
  ],
];

describeTorch('torch backend stock kernels equal the cpu backend', () => {
  afterAll(async () => {
    await selectBackend({ backend: 'cpu', log: null });
  });
  it.each(CASES)('%s', async (_label, f) => {
    const { cpu, torch } = await both(f);
    expect(close(torch, cpu)).toBe(true);
  });

  it('gradients through the native kernels equal the cpu ones', async () => {
    const { cpu, torch } = await both(() => {
      const x = r([3, 4], 11),
        w = r([4, 2], 12);
      const g = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(tf.softmax(tf.matMul(tf.relu(a) as tf.Tensor2D, b as tf.Tensor2D)), tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2]))),
      );
      return g([x, w]);
    });
    expect(close(torch, cpu)).toBe(true);
  });
});

describeTorch('torch backend storage lives in libtorch', () => {
  let backend: TorchBackend;
  beforeAll(async () => {
    await selectBackend({ backend: 'torch', device: 'cpu', log: null });
    backend = tf.backend() as TorchBackend;
  });
  afterAll(async () => {
    await selectBackend({ backend: 'cpu', log: null });
  });

  it('kernels chain on the device: the host sees data only when it writes or reads', () => {
    backend.resetStats();
    const a = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
    expect(backend.stats.hostWrites).toBe(1);
    const y = tf.tidy(() => tf.sum(tf.mul(tf.relu(tf.sub(a, 2)), tf.transpose(tf.reshape(a, [3, 2]) as tf.Tensor2D).reshape([2, 3])), 1));
    expect(backend.stats.hostReads).toBe(0);
    const read = y.dataSync();
    expect(Array.from(read)).toEqual([0 * 1 + 0 * 3 + 1 * 5, 2 * 2 + 3 * 4 + 4 * 6]);
    expect(backend.stats.hostReads).toBe(1);
    read[0] = 99; // a read is a copy
    expect(y.dataSync()[0]).toBe(5);
    expect(backend.stats.fallbacks.size).toBe(0);
    tf.dispose([a, y]);
  });

  it('reshape shares the data id (no copy); memory and libtorch handles return to where they were', () => {
    const mem = () => tf.memory() as tf.MemoryInfo & { numBytesInTorch: number; liveHandles: number };
    const before = mem();
    const x = tf.randomNormal([4, 8, 8, 3]);
    const start = mem();
    expect(start.numBytesInTorch).toBeGreaterThanOrEqual(x.size * 4);
    const r = x.reshape([32, 24]);
    expect(r.dataId).toBe(x.dataId);
    expect(mem().numBytesInTorch).toBe(start.numBytesInTorch); // tfjs counts the bytes of each tensor; libtorch's stay
    expect(mem().numBytes).toBe(start.numBytes + x.size * 4);
    const g = tf.tidy(() => tf.grad((t: tf.Tensor) => tf.sum(tf.square(tf.reshape(t, [4, 192]))))(x));
    expect(tf.memory().numTensors).toBe(start.numTensors + 2);
    tf.dispose([r, g]);
    expect(tf.memory().numTensors).toBe(start.numTensors);
    expect(tf.memory().numBytes).toBe(start.numBytes);
    expect(mem().numBytesInTorch).toBe(start.numBytesInTorch);
    x.dispose(); // with the views of its storage under other shapes
    expect(mem().liveHandles).toBe(before.liveHandles);
    expect(mem().numBytesInTorch).toBe(before.numBytesInTorch);
  });

  it('a kernel it lacks runs through the cpu explicitly, counted, or is refused when PVNAS_TORCH_FALLBACK=error', () => {
    const setting = process.env.PVNAS_TORCH_FALLBACK; // the tests refuse fallbacks (jest.setup.js)
    delete process.env.PVNAS_TORCH_FALLBACK;
    try {
      backend.resetStats();
      const x = tf.tensor1d([-1.5, 0.2, 2.7]);
      const y = tf.floor(x);
      expect(Array.from(y.dataSync())).toEqual([-2, 0, 2]);
      expect(backend.stats.fallbacks.get('Floor')).toBe(1);
      expect(backend.takeFallbacks()).toEqual([['Floor', 1]]);
      process.env.PVNAS_TORCH_FALLBACK = 'error';
      expect(() => tf.floor(x)).toThrow(/no kernel Floor/);
      tf.dispose([x, y]);
    } finally {
      if (setting === undefined) delete process.env.PVNAS_TORCH_FALLBACK;
      else process.env.PVNAS_TORCH_FALLBACK = setting;
    }
  });

  it('asking for a GPU that the build or the machine lacks fails saying why', async () => {
    const { cuda, gpus } = backend.native.version();
    if (cuda && gpus > 0) return; // a GPU machine: tools/device/gpu-check.sh covers it
    await expect(selectBackend({ backend: 'torch', device: 'cuda', log: null })).rejects.toThrow(/device cuda: .*(without CUDA|GPU\(s\) visible)/);
    await expect(selectBackend({ backend: 'torch', device: 'gpu' as never, log: null })).rejects.toThrow(/auto, cpu, cuda or cuda:N/);
  });
});

describeTorch('torch backend kernels leave no orphan storage', () => {
  it('every data entry the kernels create belongs to a tensor (numDataIds returns to its start)', async () => {
    const { conv2d } = await import('../ops/conv');
    const { batchNormTrain } = await import('../ops/batch-norm');
    const { maxPool2d } = await import('../ops/pool');
    await selectBackend({ backend: 'torch', log: null });
    const backend = tf.backend() as unknown as { numDataIds(): number };
    const x = tf.randomNormal([2, 6, 6, 4]) as tf.Tensor4D;
    const w = tf.randomNormal([3, 3, 4, 4]) as tf.Tensor4D;
    const start = backend.numDataIds();
    tf.dispose(
      tf.tidy(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(batchNormTrain(maxPool2d(conv2d(a as tf.Tensor4D, b as tf.Tensor4D))).y))([x, w])),
    );
    expect(backend.numDataIds()).toBe(start);
    tf.dispose([x, w]);
    await selectBackend({ backend: 'cpu', log: null });
  });
});

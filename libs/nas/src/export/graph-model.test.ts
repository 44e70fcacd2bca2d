import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter';
import { loadTorchAddon } from '../backend/torch/native';
import { selectBackend } from '../backend/select';
import { DerivedNetwork } from '../derived/derived-network';
import { defaultLayout } from '../derived/layout';
import { EVAL, TRAIN } from '../layers/context';
import { Params } from '../layers/params';
import { genotypeSchema, type Genotype } from '../search-space/genotype';
import { GraphBuilder } from './graph-builder';
import { exportGraphModel, graphArtifacts, graphModelFiles } from './graph-model';
import { type Block, TEMPORAL_OPS, OPS } from '../operations';

/** Every op at stride 1 in the normal cells and on strided edges (inputs 0, 1) in the reduction cells. */
const EVERY_OP: Genotype = genotypeSchema.parse({
  format: 'pvnas-genotype/1',
  cells: {
    spatial_normal: {
      edges: [
        ['sep_conv_1x3x3', 0],
        ['dil_conv_1x3x3', 1],
        ['avg_pool_1x3x3', 0],
        ['max_pool_1x3x3', 2],
        ['skip_connect', 1],
        ['sep_conv_1x3x3', 3],
        ['dil_conv_1x3x3', 4],
        ['avg_pool_1x3x3', 2],
      ],
      concat: [2, 3, 4, 5],
    },
    spatial_reduce: {
      edges: [
        ['sep_conv_1x3x3', 0],
        ['dil_conv_1x3x3', 1],
        ['avg_pool_1x3x3', 0],
        ['max_pool_1x3x3', 1],
        ['skip_connect', 1],
        ['sep_conv_1x3x3', 3],
        ['dil_conv_1x3x3', 4],
        ['avg_pool_1x3x3', 2],
      ],
      concat: [2, 3, 4, 5],
    },
    temporal_normal: {
      edges: [
        ['temporal_conv_3+3x3', 0],
        ['temporal_conv_3+1x1', 1],
        ['max_pool_1x3x3', 1],
        ['skip_connect', 2],
        ['sep_conv_1x3x3', 3],
        ['dil_conv_1x3x3', 0],
        ['temporal_conv_3+3x3', 4],
        ['avg_pool_1x3x3', 2],
      ],
      concat: [2, 3, 4, 5],
    },
    temporal_reduce: {
      edges: [
        ['temporal_conv_3+3x3', 0],
        ['temporal_conv_3+1x1', 1],
        ['max_pool_1x3x3', 1],
        ['skip_connect', 0],
        ['temporal_conv_3+1x1', 3],
        ['dil_conv_1x3x3', 0],
        ['temporal_conv_3+3x3', 4],
        ['sep_conv_1x3x3', 1],
      ],
      concat: [2, 3, 4, 5],
    },
  },
});

function maxRelDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] / Math.max(1e-6, tf.max(tf.abs(a)).dataSync()[0]));
}

async function runGraph(model: GraphModel, x: tf.Tensor): Promise<tf.Tensor> {
  return model.execute(x) as tf.Tensor;
}

describe('graph-model export (stock tfjs executor)', () => {
  let backend = 'cpu';
  beforeAll(async () => {
    backend = (await selectBackend({ backend: loadTorchAddon().ok ? 'torch' : 'wasm', log: null })).name;
  });

  // every candidate op, search (no affine, BN after pools) and derived (affine), stride 1 and 2, odd and even sizes
  const cases = TEMPORAL_OPS.flatMap((op) =>
    [1, 2].flatMap((stride) => [false, true].flatMap((affine) => [9, 8].map((size) => ({ op, stride, affine, size })))),
  );
  it.each(cases)('$op stride $stride affine $affine on $size x $size equals the forward pass', async ({ op, stride, affine, size }) => {
    const [N, T, C] = [2, 3, 4];
    const p = new Params(7);
    const block: Block = OPS[op](p, C, stride, affine);
    const x = tf.randomNormal([N, T, size, size, C], 0, 1, 'float32', 11) as tf.Tensor5D;
    tf.tidy(() => block.forward(x, TRAIN)); // moves the BN running statistics away from 0 / 1
    const expected = tf.tidy(() => block.forward(x, EVAL));
    const g = new GraphBuilder(new Map(p.list().map((q) => [q.variable, q.name])), T);
    const input = g.input('x', [-1, size, size, C]);
    const out = block.emit(g, input);
    const model = await loadGraphModel(tf.io.fromMemory(await graphArtifacts(g, input, out)));
    const got = await runGraph(model, x.reshape([N * T, size, size, C]));
    expect(got.shape).toEqual([N * T, ...expected.shape.slice(2)]);
    expect(maxRelDiff(expected.reshape(got.shape), got)).toBeLessThan(1e-5);
    tf.dispose([x, expected, got]);
    model.dispose();
    g.dispose();
    p.dispose();
  });

  it.each([
    [2, 1, 4],
    [4, 2, 5],
  ])(
    'a derived network (stem stride %i, T-RC temporal stride %i, %i frames) written to disk loads with tf.loadGraphModel and gives its eval logits, here and on the stock cpu backend',
    async (stemStride, temporalStride, T) => {
      const net = new DerivedNetwork(EVERY_OP, { channels: 4, classes: 5, layout: defaultLayout(1), stemStride, dropout: 0.4, seed: 3, temporalStride });
      const S = 22; // stem 2: 22 -> 11 -> 6 -> 3, stem 4: 22 -> 6 -> 3 -> 2: odd sizes through both reductions
      const x = tf.randomNormal([2, T, S, S, 3], 0, 1, 'float32', 5) as tf.Tensor5D;
      tf.tidy(() => net.forward(x, TRAIN));
      const expected = tf.tidy(() => net.forward(x, EVAL));
      const expectedData = expected.dataSync().slice();
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pvnas-graph-'));
      try {
        const { nodes } = await exportGraphModel(net, { frames: T, size: S }, dir);
        expect(nodes).toBeGreaterThan(100);
        expect(fs.readdirSync(dir).sort()).toEqual(['group1-shard1of1.bin', 'model.json']);
        const json = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
        expect(json.format).toBe('graph-model');
        expect(json.userDefinedMetadata.pvnas.genotype).toEqual(EVERY_OP);
        expect(new Set(json.modelTopology.node.map((n: { op: string }) => n.op))).toEqual(
          new Set([
            'Placeholder',
            'Const',
            'Reshape',
            'Conv2D',
            'DepthwiseConv2dNative',
            'FusedBatchNorm',
            'Relu',
            'AddV2',
            'Mul',
            'ConcatV2',
            'PadV2',
            'StridedSlice',
            'AvgPool',
            'MaxPool',
            'Mean',
            'MatMul',
            'BiasAdd',
          ]),
        );

        const model = await loadGraphModel(graphModelFiles(dir));
        const got = model.execute({ video: x }) as tf.Tensor;
        expect(got.shape).toEqual([2, 5]);
        expect(maxRelDiff(expected, got)).toBeLessThan(1e-5);
        tf.dispose(got);
        model.dispose();

        // stock tfjs (pure JS cpu backend), as a user without this project would run it
        await tf.setBackend('cpu');
        const stock = await loadGraphModel(graphModelFiles(dir));
        const xs = tf.tensor(x.dataSync().slice(), x.shape);
        const gotCpu = stock.execute(xs) as tf.Tensor;
        expect(maxRelDiff(tf.tensor(expectedData, [2, 5]), gotCpu)).toBeLessThan(1e-5);
        tf.dispose([xs, gotCpu]);
        stock.dispose();
      } finally {
        await tf.setBackend(backend);
        fs.rmSync(dir, { recursive: true, force: true });
        tf.dispose([x, expected]);
        net.dispose();
      }
    },
  );

  it('refuses a missing or damaged model.json with its path', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pvnas-graph-'));
    try {
      await expect(loadGraphModel(graphModelFiles(dir))).rejects.toThrow(/model\.json does not exist/);
      fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify({ format: 'layers-model' }));
      await expect(loadGraphModel(graphModelFiles(dir))).rejects.toThrow(/is not valid: format/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

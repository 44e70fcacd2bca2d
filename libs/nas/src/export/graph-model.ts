/**
 * A derived network in tfjs's own graph-model format (`model.json` + `group1-shard1of1.bin`, as
 * tfjs-converter writes them), for inference with stock TensorFlow.js anywhere:
 * `tf.loadGraphModel('file://dir/model.json')` with tfjs-node, or over http in a browser; no pvnas code needed.
 *
 * Input `video` [N, T, H, W, 3] (T, H, W fixed at export; frames normalised with mean 0.45, std 0.225 as in
 * training), output `logits` [N, classes]. `userDefinedMetadata.pvnas` records the input (frames, size, the
 * window they span at 30 fps, normalisation) and, when given, the class names. BN uses the running statistics; dropout and drop-path are off.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import type { DerivedNetwork } from '../derived/derived-network';
import { GraphBuilder, type GNode } from './graph-builder';
import { readJsonFile, writeFileAtomic } from '@pvnas/base/node';

export const GRAPH_MODEL_WEIGHTS = 'group1-shard1of1.bin';

export interface GraphExportOptions {
  frames: number;
  /** Input height and width. */
  size: number;
  /** Frames (at 30 fps) the clip's frames span, as in training (default 64): recorded for consumers. */
  window?: number;
  /** Class names in logit order: recorded for consumers (the viewer shows them). */
  classes?: readonly string[];
}

const graphModelSchema = z.object({
  format: z.literal('graph-model'),
  generatedBy: z.string(),
  convertedBy: z.string(),
  modelTopology: z.object({ node: z.array(z.object({ name: z.string(), op: z.string() }).passthrough()).min(1) }).passthrough(),
  weightsManifest: z
    .array(
      z.object({
        paths: z.array(z.string()).min(1),
        weights: z.array(z.object({ name: z.string(), shape: z.array(z.number().int()), dtype: z.enum(['float32', 'int32']) })),
      }),
    )
    .length(1),
  signature: z.object({ inputs: z.record(z.string(), z.unknown()), outputs: z.record(z.string(), z.unknown()) }),
  userDefinedMetadata: z.record(z.string(), z.unknown()).optional(),
});

function tensorInfo(name: string, shape: number[]) {
  return { name: `${name}:0`, dtype: 'DT_FLOAT', tensorShape: { dim: shape.map((d) => ({ size: String(d) })) } };
}

type Metadata = { [key: string]: object };

/** tfjs model artifacts of a built graph: one input, one output, constants as the weights. */
export async function graphArtifacts(g: GraphBuilder, input: GNode, output: GNode, metadata: Metadata = {}): Promise<tf.io.ModelArtifacts> {
  const { graph, constants } = g.build();
  const { data, specs } = await tf.io.encodeWeights(constants);
  return {
    format: 'graph-model',
    generatedBy: 'pvnas-ts',
    convertedBy: 'pvnas-ts GraphBuilder',
    modelTopology: graph,
    weightSpecs: specs,
    weightData: data,
    signature: { inputs: { [input.name]: tensorInfo(input.name, input.shape) }, outputs: { [output.name]: tensorInfo(output.name, output.shape) } },
    userDefinedMetadata: metadata,
  };
}

/** Writes `dir/model.json` and `dir/group1-shard1of1.bin`; returns the node count and weight bytes. */
export async function exportGraphModel(net: DerivedNetwork, o: GraphExportOptions, dir: string): Promise<{ nodes: number; bytes: number }> {
  if (!Number.isInteger(o.frames) || o.frames < 1 || !Number.isInteger(o.size) || o.size < 8)
    throw new Error(`graph export: frames ${o.frames} and size ${o.size} must be integers (>= 1, >= 8)`);
  const g = new GraphBuilder(new Map(net.params.list().map((p) => [p.variable, p.name])), o.frames);
  try {
    const video = g.input('video', [-1, o.frames, o.size, o.size, 3]);
    const input = { layout: 'NTHWC', frames: o.frames, size: o.size, window: o.window ?? 64, fps: 30, mean: 0.45, std: 0.225 };
    const metadata = { pvnas: { genotype: net.genotype, config: net.config, input, ...(o.classes && { classes: [...o.classes] }) } };
    const { weightSpecs, weightData, ...rest } = await graphArtifacts(g, video, net.emit(g, video), metadata);
    const json = graphModelSchema.parse({ ...rest, weightsManifest: [{ paths: [GRAPH_MODEL_WEIGHTS], weights: weightSpecs }] });
    const data = weightData as ArrayBuffer;
    writeFileAtomic(path.join(dir, GRAPH_MODEL_WEIGHTS), new Uint8Array(data));
    writeFileAtomic(path.join(dir, 'model.json'), JSON.stringify(json) + '\n');
    return { nodes: json.modelTopology.node.length, bytes: data.byteLength };
  } finally {
    g.dispose();
  }
}

/** An IOHandler for `tf.loadGraphModel` over a directory on disk (what tfjs-node's `file://` does). */
export function graphModelFiles(dir: string): tf.io.IOHandler {
  return {
    load: async () => {
      const file = path.join(dir, 'model.json');
      const m = readJsonFile(file, graphModelSchema, 'graph model');
      const bin = fs.readFileSync(path.join(dir, m.weightsManifest[0].paths[0]));
      return {
        format: m.format,
        generatedBy: m.generatedBy,
        convertedBy: m.convertedBy,
        modelTopology: m.modelTopology,
        weightSpecs: m.weightsManifest[0].weights,
        weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
        signature: m.signature,
        userDefinedMetadata: m.userDefinedMetadata as Metadata | undefined,
      };
    },
  };
}

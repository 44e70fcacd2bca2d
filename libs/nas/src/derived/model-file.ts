/**
 * Saving and loading a derived network: `model.json` (format, genotype, network config, and a tfjs weights
 * manifest) plus `weights.bin` in tfjs's binary weights layout (tf.io.encodeWeights: float32, little endian,
 * in manifest order), so the weights load with tfjs's own readers too. BN running statistics are included.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { genotypeSchema } from '../search-space/genotype';
import { DerivedNetwork } from './derived-network';
import { readJsonFile, writeFileAtomic } from '@pvnas/base/node';
import { CELL_TYPES } from '../search-space/cell-types';

export const MODEL_FORMAT = 'pvnas-model/1';

const modelFileSchema = z.object({
  format: z.literal(MODEL_FORMAT),
  genotype: genotypeSchema,
  config: z.object({
    channels: z.number().int().positive(),
    classes: z.number().int().positive(),
    layout: z.array(z.enum(CELL_TYPES)).min(1),
    stemStride: z.number().int().positive(),
    dropout: z.number().min(0).max(1),
    seed: z.number().int(),
    temporalStride: z.number().int().positive().optional(),
  }),
  weightsManifest: z
    .array(
      z.object({ paths: z.array(z.string()), weights: z.array(z.object({ name: z.string(), shape: z.array(z.number().int()), dtype: z.literal('float32') })) }),
    )
    .length(1),
});

export async function saveDerived(net: DerivedNetwork, dir: string): Promise<void> {
  const named = Object.fromEntries(net.params.list().map((p) => [p.name, p.variable]));
  const { data, specs } = await tf.io.encodeWeights(named);
  const model = { format: MODEL_FORMAT, genotype: net.genotype, config: net.config, weightsManifest: [{ paths: ['weights.bin'], weights: specs }] };
  // the weights first: a model.json on disk always describes whole weights
  writeFileAtomic(path.join(dir, 'weights.bin'), new Uint8Array(data as ArrayBuffer));
  writeFileAtomic(path.join(dir, 'model.json'), JSON.stringify(modelFileSchema.parse(model), null, 1) + '\n');
}

export function loadDerived(dir: string): DerivedNetwork {
  const file = path.join(dir, 'model.json');
  const m = readJsonFile(file, modelFileSchema, 'model');
  const bin = fs.readFileSync(path.join(dir, m.weightsManifest[0].paths[0]));
  const tensors = tf.io.decodeWeights(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength), m.weightsManifest[0].weights);
  const net = new DerivedNetwork(m.genotype, m.config);
  const missing: string[] = [];
  for (const p of net.params.list()) {
    const t = tensors[p.name];
    if (!t || t.shape.join() !== p.variable.shape.join()) missing.push(p.name);
    else p.variable.assign(t);
  }
  tf.dispose(Object.values(tensors));
  if (missing.length > 0) {
    net.dispose();
    throw new Error(`model ${file}: weights.bin lacks or mis-shapes ${missing.length} parameters (first: ${missing[0]}); was it written by another version?`);
  }
  return net;
}

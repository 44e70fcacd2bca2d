/** The search network's alphas as an alphas file (one snapshot per epoch lets any epoch be derived). */
import * as tf from '@tensorflow/tfjs-core';
import type { Alphas } from './genotype';
import type { SearchNetwork } from './search-network';
import { CELL_TYPES } from './cell-types';
import { SPATIAL_OPS, TEMPORAL_OPS } from '../operations';

export function alphasOf(net: SearchNetwork, source?: Alphas['source']): Alphas {
  const rows = Object.fromEntries(CELL_TYPES.map((t) => [t, net.alphas[t].arraySync() as number[][]]));
  return { ops: { spatial: [...SPATIAL_OPS], temporal: [...TEMPORAL_OPS] }, ...rows, ...(source ? { source } : {}) } as Alphas;
}

/** Sets the network's alphas from a file's values (resuming a search). */
export function loadAlphasInto(net: SearchNetwork, alphas: Alphas): void {
  for (const t of CELL_TYPES) tf.tidy(() => net.alphas[t].assign(tf.tensor2d(alphas[t])));
}

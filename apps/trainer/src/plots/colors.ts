/**
 * Colours: Tableau 10 (d3's schemeTableau10). Each op keeps its colour in every category and file, so a
 * reader learns it once; `none` is grey.
 */
import type { OpName } from '@pvnas/nas';

export const TABLEAU10 = ['#4e79a7', '#f28e2c', '#e15759', '#76b7b2', '#59a14f', '#edc949', '#af7aa1', '#ff9da7', '#9c755f', '#bab0ab'] as const;

const OP_COLORS: Record<OpName, string> = {
  none: '#bab0ab',
  skip_connect: '#4e79a7',
  avg_pool_1x3x3: '#76b7b2',
  max_pool_1x3x3: '#9c755f',
  sep_conv_1x3x3: '#e15759',
  dil_conv_1x3x3: '#f28e2c',
  'temporal_conv_3+3x3': '#59a14f',
  'temporal_conv_3+1x1': '#af7aa1',
};

export const opColor = (op: OpName): string => OP_COLORS[op];

/**
 * A derived cell drawn as DARTS drew its cells (its visualize.py; PV-NAS paper Fig. 6): graphviz `dot`,
 * left to right, inputs c_{k-2} and c_{k-1}, intermediate nodes 0..3, output c_{k}; every kept edge labelled
 * with its op, the concatenated nodes joined to the output. Graphviz runs compiled to WebAssembly
 * (@hpcc-js/wasm-graphviz, the wasm inside the package): offline, no native install.
 */
import { Graphviz } from '@hpcc-js/wasm-graphviz';
import type { CellGenotype, CellType } from '@pvnas/nas';
import { CATEGORY_SHORT_NAMES, OUTPUT_STATE_NAME, stateName } from './cell-states';

const quote = (s: string): string => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** The DOT source of one cell, with DARTS's styling. */
export function cellDot(cell: CellGenotype, title: string): string {
  const nodes = cell.edges.length / 2;
  const lines = [
    'digraph cell {',
    `  rankdir=LR; label=${quote(title)}; labelloc=t; fontsize=20; fontname="Times-Roman";`,
    '  edge [fontsize=20 fontname="Times-Roman"];',
    '  node [style=filled shape=rect align=center fontsize=20 height=0.5 width=0.5 penwidth=2 fontname="Times-Roman"];',
    `  ${quote(stateName(0))} [fillcolor=darkseagreen2];`,
    `  ${quote(stateName(1))} [fillcolor=darkseagreen2];`,
  ];
  for (let node = 0; node < nodes; node++) lines.push(`  ${quote(stateName(node + 2))} [fillcolor=lightblue];`);
  cell.edges.forEach(([op, input], k) => {
    lines.push(`  ${quote(stateName(input))} -> ${quote(stateName(Math.floor(k / 2) + 2))} [label=${quote(op)} fillcolor=gray];`);
  });
  lines.push(`  ${quote(OUTPUT_STATE_NAME)} [fillcolor=palegoldenrod];`);
  for (const state of cell.concat) lines.push(`  ${quote(stateName(state))} -> ${quote(OUTPUT_STATE_NAME)} [fillcolor=gray];`);
  lines.push('}');
  return lines.join('\n') + '\n';
}

let graphviz: Promise<Graphviz> | undefined;

/** The cell as an SVG document (graphviz loads once per process, ~70 ms). */
export async function cellSvg(cell: CellGenotype, category: CellType): Promise<string> {
  graphviz ??= Graphviz.load();
  return (await graphviz).dot(cellDot(cell, `${category} (${CATEGORY_SHORT_NAMES[category]})`), 'svg');
}

export const cellFileName = (category: CellType): string => `cell-${category}.svg`;

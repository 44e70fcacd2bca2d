/**
 * The last alpha snapshot as four heat maps (one per cell category): a row per edge, a column per op,
 * shade and number = softmax weight. The op derivation would keep on each edge (strongest other than
 * `none`) is outlined.
 */
import { CELL_TYPES, opsOf, type CellType } from '@pvnas/nas';
import { scaleLinear } from 'd3-scale';
import type { AlphaTrajectory } from './alpha-trajectory';
import { CATEGORY_SHORT_NAMES, edgeEndpoints, edgeName } from './cell-states';
import { el, svgDocument, textEl } from './svg';

const ROW_LABEL_WIDTH = 92;
const HEADER_HEIGHT = 112;
const TITLE_HEIGHT = 22;
const CELL_WIDTH = 50;
const CELL_HEIGHT = 18;
const BLOCK_WIDTH = ROW_LABEL_WIDTH + 8 * CELL_WIDTH + 20;
/** The last column's slanted op label reaches past the grid. */
const RIGHT_PAD = 80;
const BLOCK_HEIGHT = TITLE_HEIGHT + HEADER_HEIGHT + 14 * CELL_HEIGHT + 20;

export const FINAL_ALPHAS_FILE = 'alphas-final.svg';

/** Index of the strongest op other than `none` (ties: the earlier op), as derivation picks per edge. */
export function bestOp(row: readonly number[], ops: readonly string[]): number {
  let best = -1;
  row.forEach((w, j) => {
    if (ops[j] !== 'none' && (best < 0 || w > row[best])) best = j;
  });
  return best;
}

function heatMap(rows: readonly (readonly number[])[], category: CellType, left: number, top: number): string {
  const ops = opsOf(category);
  const max = Math.max(1e-6, ...rows.flat());
  const shade = scaleLinear<string>().domain([0, max]).range(['#f7fbff', '#08519c']);
  const gridTop = top + TITLE_HEIGHT + HEADER_HEIGHT;
  const gridLeft = left + ROW_LABEL_WIDTH;
  const header = ops.map((op, j) =>
    textEl(op, { class: 'op-label', transform: `translate(${gridLeft + (j + 0.5) * CELL_WIDTH + 3} ${gridTop - 6}) rotate(-50)`, 'font-size': 11 }),
  );
  const cells = edgeEndpoints().flatMap((endpoint, e) => {
    const y = gridTop + e * CELL_HEIGHT;
    const best = bestOp(rows[e], ops);
    return [
      textEl(edgeName(endpoint), { class: 'edge-label', x: gridLeft - 6, y: y + CELL_HEIGHT * 0.7, 'text-anchor': 'end', 'font-size': 11 }),
      ...rows[e].map((w, j) => {
        const x = gridLeft + j * CELL_WIDTH;
        return el('g', {}, [
          el('rect', {
            class: 'cell',
            'data-edge': e,
            'data-op': ops[j],
            x,
            y,
            width: CELL_WIDTH,
            height: CELL_HEIGHT,
            fill: shade(w),
            stroke: j === best ? '#000' : 'white',
            'stroke-width': j === best ? 1.5 : 0.5,
          }),
          textEl(w.toFixed(2), {
            x: x + CELL_WIDTH / 2,
            y: y + CELL_HEIGHT * 0.7,
            'text-anchor': 'middle',
            'font-size': 9,
            fill: w > 0.6 * max ? 'white' : '#222',
          }),
        ]);
      }),
    ];
  });
  const title = textEl(`${category} (${CATEGORY_SHORT_NAMES[category]})`, {
    class: 'chart-title',
    x: left + 4,
    y: top + 15,
    'font-size': 13,
    'font-weight': 'bold',
  });
  return el('g', { class: 'heat-map', 'data-category': category }, [title, ...header, ...cells]);
}

/** Null when the trajectory is empty. */
export function finalAlphasSvg(trajectory: AlphaTrajectory, runName: string): string | null {
  const last = trajectory.snapshots.at(-1);
  if (last === undefined) return null;
  const when = trajectory.axis === 'step' ? `at step ${last.x}` : last.x === 0 ? 'initial' : `after epoch ${last.x}`;
  const caption = textEl(`${runName}: softmax of the alphas ${when} (outlined: the op derivation keeps on each edge)`, { x: 8, y: 18, 'font-size': 13 });
  const maps = CELL_TYPES.map((category, i) => heatMap(last.softmax[category], category, (i % 2) * BLOCK_WIDTH, 28 + Math.floor(i / 2) * BLOCK_HEIGHT));
  return svgDocument(2 * BLOCK_WIDTH + RIGHT_PAD, 28 + 2 * BLOCK_HEIGHT, `${runName}: alphas ${when}`, [caption, ...maps]);
}

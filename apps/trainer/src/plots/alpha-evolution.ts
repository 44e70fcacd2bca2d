/**
 * Alpha evolution of one cell category: on top, each op's softmax weight averaged over the 14 edges (one
 * line per op, legend on the right); below, small multiples of every edge, one row per intermediate node
 * and one column per input state, all on the same y axis so edges compare at a glance.
 */
import { EDGES, opsOf, type CellType } from '@pvnas/nas';
import { FULL_CHART, renderChart, SMALL_CHART, type Series } from './chart';
import { opColor } from './colors';
import { edgeOpWeight, maxWeight, meanOpWeight, type AlphaTrajectory } from './alpha-trajectory';
import { CATEGORY_SHORT_NAMES, edgeEndpoints, edgeName } from './cell-states';
import { downsample } from './downsample';
import { el, svgDocument, textEl } from './svg';

const WIDTH = 960;
const MEAN_HEIGHT = 320;
const GRID_COLUMNS = 5;
const CELL_WIDTH = WIDTH / GRID_COLUMNS;
const CELL_HEIGHT = 130;
const HEADING_HEIGHT = 28;
export const MEAN_POINTS = 400;
export const EDGE_POINTS = 150;

function opSeries(trajectory: AlphaTrajectory, category: CellType, pointsOf: (op: number) => Array<{ x: number; y: number }>, maxPoints: number): Series[] {
  return opsOf(category).map((op, j) => ({
    name: op,
    color: opColor(op),
    points: downsample(pointsOf(j), maxPoints),
    draw: trajectory.snapshots.length > 40 ? 'line' : 'line+markers',
    dashed: op === 'none',
  }));
}

/** `trajectory` should hold at most a few hundred snapshots (downsampleTrajectory). */
export function alphaEvolutionSvg(trajectory: AlphaTrajectory, category: CellType, runName: string): string {
  const xLabel = trajectory.axis === 'step' ? 'step' : 'epoch (0 = initial alphas)';
  const title = `${category} (${CATEGORY_SHORT_NAMES[category]}): softmax weight of each op, mean over the ${EDGES} edges`;
  const meanSeries = opSeries(trajectory, category, (j) => meanOpWeight(trajectory, category, j), MEAN_POINTS);
  const meanTop = Math.max(1e-3, ...meanSeries.flatMap((s) => s.points.map((p) => p.y)));
  const mean = renderChart(
    { title, xLabel, yLabel: 'softmax weight', series: meanSeries, yDomain: [0, meanTop] },
    { left: 0, top: 0, width: WIDTH, height: MEAN_HEIGHT },
    FULL_CHART,
  );
  const top = Math.max(1e-3, maxWeight(trajectory, category)); // the small multiples share one y axis
  const edges = edgeEndpoints().map((endpoint, e) => {
    const series = opSeries(trajectory, category, (j) => edgeOpWeight(trajectory, category, e, j), EDGE_POINTS);
    const box = { left: endpoint.input * CELL_WIDTH, top: MEAN_HEIGHT + HEADING_HEIGHT + endpoint.node * CELL_HEIGHT, width: CELL_WIDTH, height: CELL_HEIGHT };
    return el('g', { class: 'edge-chart', 'data-edge': e }, [
      renderChart({ title: `edge ${e}: ${edgeName(endpoint)}`, xLabel: '', yLabel: '', series, yDomain: [0, top] }, box, SMALL_CHART),
    ]);
  });
  const heading = textEl(`per edge (row: intermediate node 0-3, column: input state; x: ${xLabel})`, {
    x: 8,
    y: MEAN_HEIGHT + HEADING_HEIGHT - 8,
    'font-size': 12,
    'font-weight': 'bold',
  });
  return svgDocument(WIDTH, MEAN_HEIGHT + HEADING_HEIGHT + 4 * CELL_HEIGHT + 8, `${runName}: ${category} alphas`, [
    el('g', { class: 'mean-chart' }, [mean]),
    heading,
    ...edges,
  ]);
}

export const alphaEvolutionFileName = (category: CellType): string => `alphas-${category}.svg`;

/**
 * The ablation's figures: accuracy per variant with error bars (in order and on shuffled frames), the
 * parameter-free ops of the derived genotypes per schedule, and the parameter-free share of the alphas per
 * epoch per schedule (the alpha trajectories the schedule claim is about).
 */
import { scaleBand, scaleLinear } from 'd3-scale';
import { CELL_TYPES, type CellType } from '@pvnas/nas';
import { renderChart, type Series } from '../plots/chart';
import { CATEGORY_SHORT_NAMES } from '../plots/cell-states';
import { TABLEAU10 } from '../plots/colors';
import { el, svgDocument, textEl } from '../plots/svg';
import type { AblationResults, Stat } from './summary';

export interface BarSeries {
  name: string;
  color: string;
  /** One per category; null: not measured (yet). */
  values: Array<Stat | null>;
}

/** Dots at the means with mean +- sd whiskers, one group of series per category. */
export function errorBarSvg(spec: {
  title: string;
  yLabel: string;
  categories: string[];
  series: BarSeries[];
  yDomain: [number, number];
  chance?: number;
}): string {
  const width = Math.max(420, 90 + 70 * spec.categories.length + 160);
  const height = 340;
  const m = { left: 62, right: 170, top: 30, bottom: 90 };
  const x = scaleBand<string>()
    .domain(spec.categories)
    .range([m.left, width - m.right])
    .padding(0.2);
  const inner = scaleBand<string>()
    .domain(spec.series.map((s) => s.name))
    .range([0, x.bandwidth()])
    .padding(0.3);
  const y = scaleLinear()
    .domain(spec.yDomain)
    .nice()
    .range([height - m.bottom, m.top]);
  const parts: string[] = [textEl(spec.title, { x: m.left, y: 18, 'font-size': 13, 'font-weight': 'bold' })];
  for (const t of y.ticks(6)) {
    parts.push(el('line', { x1: m.left, x2: width - m.right, y1: y(t), y2: y(t), stroke: '#e5e5e5' }));
    parts.push(textEl(y.tickFormat(6)(t), { x: m.left - 6, y: y(t) + 4, 'text-anchor': 'end', 'font-size': 11 }));
  }
  parts.push(textEl(spec.yLabel, { transform: `translate(14 ${(m.top + height - m.bottom) / 2}) rotate(-90)`, 'text-anchor': 'middle', 'font-size': 12 }));
  if (spec.chance !== undefined) {
    parts.push(
      el('line', { class: 'chance', x1: m.left, x2: width - m.right, y1: y(spec.chance), y2: y(spec.chance), stroke: '#888', 'stroke-dasharray': '4 3' }),
    );
    parts.push(textEl('chance', { x: width - m.right - 4, y: y(spec.chance) - 4, 'text-anchor': 'end', 'font-size': 10, fill: '#666' }));
  }
  for (const [i, c] of spec.categories.entries()) {
    const cx = x(c)! + x.bandwidth() / 2;
    parts.push(textEl(c, { transform: `translate(${cx} ${height - m.bottom + 12}) rotate(30)`, 'font-size': 11 }));
    for (const s of spec.series) {
      const v = s.values[i];
      if (!v || !Number.isFinite(v.mean)) continue;
      const px = x(c)! + inner(s.name)! + inner.bandwidth() / 2;
      const lo = y(Math.max(spec.yDomain[0], v.mean - v.sd));
      const hi = y(Math.min(spec.yDomain[1], v.mean + v.sd));
      parts.push(
        el('g', { class: 'bar', 'data-series': s.name, 'data-category': c, 'data-mean': v.mean, 'data-sd': v.sd, 'data-n': v.n }, [
          el('line', { x1: px, x2: px, y1: lo, y2: hi, stroke: s.color, 'stroke-width': 1.5 }),
          el('line', { x1: px - 5, x2: px + 5, y1: lo, y2: lo, stroke: s.color, 'stroke-width': 1.5 }),
          el('line', { x1: px - 5, x2: px + 5, y1: hi, y2: hi, stroke: s.color, 'stroke-width': 1.5 }),
          el('circle', { cx: px, cy: y(v.mean), r: 4, fill: s.color }),
        ]),
      );
    }
  }
  spec.series.forEach((s, k) => {
    const ly = m.top + 10 + 18 * k;
    parts.push(
      el('circle', { cx: width - m.right + 18, cy: ly - 4, r: 4, fill: s.color }),
      textEl(s.name, { x: width - m.right + 28, y: ly, 'font-size': 11 }),
    );
  });
  return svgDocument(width, height, spec.title, parts);
}

const pct = (s: Stat): Stat => ({ mean: 100 * s.mean, sd: 100 * s.sd, n: s.n });

/** accuracy.svg: 30-view top-1 per variant group and per variant, in order and with shuffled frames. */
export function accuracySvg(r: AblationResults): string {
  const rows = [
    ...r.groups.map((g) => ({ name: `${g.label} (n=${g.top1.n})`, ordered: g.top1, shuffled: g.shuffledTop1 })),
    ...r.variants.map((v) => ({ name: v.label, ordered: one(v.top1), shuffled: one(v.shuffledTop1) })),
  ];
  return errorBarSvg({
    title: `${r.name}: 30-view top-1 (mean +- sd over genotypes)`,
    yLabel: 'top-1 accuracy (%)',
    categories: rows.map((x) => x.name),
    series: [
      { name: 'frames in order', color: TABLEAU10[0], values: rows.map((x) => (x.ordered.n > 0 ? pct(x.ordered) : null)) },
      { name: 'frames shuffled', color: TABLEAU10[1], values: rows.map((x) => (x.shuffled.n > 0 ? pct(x.shuffled) : null)) },
    ],
    yDomain: [0, 100],
    chance: r.budget.classes ? 100 / r.budget.classes : undefined,
  });
}

function one(v: number | null): Stat {
  return v === null ? { mean: NaN, sd: NaN, n: 0 } : { mean: v, sd: 0, n: 1 };
}

/** param-free-ops.svg: parameter-free edges (of 8) per cell category in the derived genotypes, per schedule. */
export function paramFreeOpsSvg(r: AblationResults): string {
  return errorBarSvg({
    title: `${r.name}: parameter-free ops in the derived cells (mean +- sd over seeds)`,
    yLabel: 'edges with skip or pool (of 8)',
    categories: CELL_TYPES.map((t) => CATEGORY_SHORT_NAMES[t]),
    series: r.schedules.map((s, k) => ({
      name: `${s.schedule} schedule`,
      color: TABLEAU10[k * 2]!,
      values: CELL_TYPES.map((t) => (s.paramFree[t].n > 0 ? s.paramFree[t] : null)),
    })),
    yDomain: [0, 8],
  });
}

/** param-free-share.svg: per cell category, the alphas' parameter-free share per epoch, each search a line. */
export function paramFreeShareSvg(r: AblationResults): string {
  const w = 380;
  const h = 240;
  const charts = CELL_TYPES.map((t: CellType, k) => {
    const series: Series[] = r.searches
      .filter((s) => s.paramFreeShare.length > 0)
      .map((s) => ({
        name: `${s.schedule} s${s.seed}`,
        color: s.schedule === 'step' ? TABLEAU10[0] : TABLEAU10[2],
        dashed: s.schedule === 'cosine',
        draw: 'line+markers' as const,
        points: s.paramFreeShare.map((p) => ({ x: p.epoch, y: p[t] })),
      }));
    return renderChart(
      { title: `${CATEGORY_SHORT_NAMES[t]}: parameter-free share of the alphas`, xLabel: 'epoch', yLabel: 'share', series, yDomain: [0, 1] },
      { left: (k % 2) * (w + 120), top: Math.floor(k / 2) * h, width: w + 120, height: h },
    );
  });
  return svgDocument(2 * (w + 120), 2 * h, `${r.name}: parameter-free share of the alphas per epoch (step solid, cosine dashed)`, charts);
}

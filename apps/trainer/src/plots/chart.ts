/**
 * One line chart as an SVG group: d3-scale for the axes (nice domains, ticks, tick labels), d3-shape for
 * the series paths; the rest (gridlines, labels, legend) is plain SVG. Non-finite values (a diverged loss)
 * leave a gap; a log axis leaves out values <= 0.
 */
import { scaleLinear, scaleLog } from 'd3-scale';
import { line } from 'd3-shape';
import type { Point } from './downsample';
import { el, textEl } from './svg';

export interface Series {
  name: string;
  color: string;
  points: readonly Point[];
  /** `line`: a polyline; `markers`: a dot per point; `line+markers`: both. */
  draw: 'line' | 'markers' | 'line+markers';
  dashed?: boolean;
  /** Drawn light, under the others (raw per-step values behind their epoch means). */
  faint?: boolean;
}

export interface ChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly Series[];
  /** A fixed y range (accuracy, softmax weights), made nice; default: the data's. */
  yDomain?: readonly [number, number];
  yLog?: boolean;
  xDomain?: readonly [number, number];
}

export interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface ChartStyle {
  fontSize: number;
  xTicks: number;
  yTicks: number;
  markerRadius: number;
  legend: boolean;
  margin: { top: number; right: number; bottom: number; left: number };
}

export const FULL_CHART: ChartStyle = {
  fontSize: 12,
  xTicks: 8,
  yTicks: 6,
  markerRadius: 2.5,
  legend: true,
  margin: { top: 26, right: 12, bottom: 40, left: 62 },
};
export const SMALL_CHART: ChartStyle = {
  fontSize: 10,
  xTicks: 3,
  yTicks: 2,
  markerRadius: 1.5,
  legend: false,
  margin: { top: 18, right: 8, bottom: 18, left: 30 },
};

/** Room for the legend right of the plot: swatch, gap and the longest name (about 0.6 em a character). */
export function legendWidth(series: readonly Series[], style: ChartStyle): number {
  return style.legend ? 40 + 0.62 * style.fontSize * Math.max(0, ...series.map((s) => s.name.length)) : 0;
}

interface Scale {
  (v: number): number;
  ticks(count: number): number[];
  tickFormat(count: number, specifier?: string): (v: number) => string;
}

const GRID = '#e6e6e6';
const AXIS = '#555';

function flatSafe([lo, hi]: readonly [number, number], log: boolean): [number, number] {
  if (lo < hi) return [lo, hi];
  if (log) return [lo / 2, lo * 2];
  return lo === 0 ? [-1, 1] : [lo - Math.abs(lo) / 2, lo + Math.abs(lo) / 2];
}

function extent(values: readonly number[]): [number, number] {
  if (values.length === 0) return [0, 1];
  let lo = Infinity,
    hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

const isDrawable = (p: Point, log: boolean): boolean => Number.isFinite(p.x) && Number.isFinite(p.y) && (!log || p.y > 0);

/** Whether the y axis is logarithmic: asked for, and some value is > 0. */
function useLog(spec: ChartSpec): boolean {
  return spec.yLog === true && spec.series.some((s) => s.points.some((p) => isDrawable(p, true)));
}

function xScale(spec: ChartSpec, range: [number, number], ticks: number): Scale {
  const points = spec.series.flatMap((s) => s.points.filter((p) => isDrawable(p, false)));
  const domain = flatSafe(spec.xDomain ?? extent(points.map((p) => p.x)), false);
  const scale = scaleLinear().domain(domain).range(range);
  return spec.xDomain ? scale : scale.nice(ticks);
}

function yScale(spec: ChartSpec, range: [number, number], ticks: number): Scale {
  const log = useLog(spec);
  const values = spec.series.flatMap((s) => s.points.filter((p) => isDrawable(p, log)).map((p) => p.y));
  const domain = flatSafe(spec.yDomain ?? extent(values), log);
  if (log) return scaleLog().domain(domain).range(range).nice();
  return scaleLinear().domain(domain).range(range).nice(ticks);
}

function xAxis(x: Scale, style: ChartStyle, top: number, bottom: number): string[] {
  const format = x.tickFormat(style.xTicks);
  return x
    .ticks(style.xTicks)
    .flatMap((t) => [
      el('line', { x1: x(t), x2: x(t), y1: top, y2: bottom, stroke: GRID }),
      el('line', { x1: x(t), x2: x(t), y1: bottom, y2: bottom + 4, stroke: AXIS }),
      textEl(format(t), { class: 'tick', x: x(t), y: bottom + 5 + style.fontSize, 'text-anchor': 'middle', 'font-size': style.fontSize - 1, fill: AXIS }),
    ]);
}

/** A log axis tick in plain notation down to 0.001, then 1e-4 (d3's default for log axes is SI: 20m, 200µ). */
export function logTickLabel(v: number): string {
  return v >= 1e-3 ? String(+v.toPrecision(6)) : v.toExponential();
}

function yAxis(y: Scale, log: boolean, style: ChartStyle, left: number, right: number): string[] {
  // d3 leaves a log axis's crowded ticks unlabelled (''); those stay minor ticks
  const d3Format = y.tickFormat(style.yTicks);
  const format = log ? (v: number) => (d3Format(v) === '' ? '' : logTickLabel(v)) : d3Format;
  return y.ticks(style.yTicks).flatMap((t) => {
    const label = format(t);
    return [
      el('line', { x1: left, x2: right, y1: y(t), y2: y(t), stroke: label === '' ? '#f3f3f3' : GRID }),
      el('line', { x1: left - (label === '' ? 2 : 4), x2: left, y1: y(t), y2: y(t), stroke: AXIS }),
      label === ''
        ? ''
        : textEl(label, { class: 'tick', x: left - 6, y: y(t) + (style.fontSize - 1) / 3, 'text-anchor': 'end', 'font-size': style.fontSize - 1, fill: AXIS }),
    ];
  });
}

function seriesMarks(s: Series, x: Scale, y: Scale, log: boolean, style: ChartStyle): string {
  const drawable = s.points.filter((p) => isDrawable(p, log));
  const opacity = s.faint ? 0.35 : undefined;
  const parts: string[] = [];
  if (s.draw !== 'markers') {
    const path = line<Point>()
      .defined((p) => isDrawable(p, log))
      .x((p) => x(p.x))
      .y((p) => y(p.y))
      .digits(2)(s.points);
    parts.push(
      el('path', {
        class: 'series',
        'data-series': s.name,
        d: path ?? '',
        fill: 'none',
        stroke: s.color,
        'stroke-width': s.faint ? 1 : 1.6,
        'stroke-opacity': opacity,
        'stroke-dasharray': s.dashed ? '5 3' : undefined,
      }),
    );
  }
  if (s.draw !== 'line' || drawable.length === 1) {
    const dots = drawable.map((p) => el('circle', { cx: x(p.x), cy: y(p.y), r: style.markerRadius, fill: s.color, 'fill-opacity': opacity }));
    parts.push(el('g', { class: 'markers', 'data-series': s.name }, dots));
  }
  return parts.join('');
}

function legend(series: readonly Series[], style: ChartStyle, left: number, top: number): string {
  const rowHeight = style.fontSize + 6;
  const items = series.map((s, i) => {
    const y = top + i * rowHeight;
    const swatch =
      s.draw === 'markers'
        ? el('circle', { cx: left + 9, cy: y, r: style.markerRadius + 0.5, fill: s.color })
        : el('line', {
            x1: left,
            x2: left + 18,
            y1: y,
            y2: y,
            stroke: s.color,
            'stroke-width': 2,
            'stroke-opacity': s.faint ? 0.5 : undefined,
            'stroke-dasharray': s.dashed ? '5 3' : undefined,
          });
    return el('g', { class: 'legend-item', 'data-series': s.name }, [
      swatch,
      textEl(s.name, { x: left + 24, y: y + style.fontSize / 3, 'font-size': style.fontSize }),
    ]);
  });
  return el('g', { class: 'legend' }, items);
}

/**
 * The chart drawn inside `box` (title, axes and their labels, series, legend on the right). Charts stacked
 * on one x axis pass the same `legendSpace` so their plot areas line up.
 */
export function renderChart(spec: ChartSpec, box: Box, style: ChartStyle = FULL_CHART, legendSpace = legendWidth(spec.series, style)): string {
  const { margin } = style;
  const left = box.left + margin.left;
  const right = box.left + box.width - margin.right - legendSpace;
  const top = box.top + margin.top;
  const bottom = box.top + box.height - margin.bottom;
  const log = useLog(spec);
  const x = xScale(spec, [left, right], style.xTicks);
  const y = yScale(spec, [bottom, top], style.yTicks);
  const ordered = [...spec.series.filter((s) => s.faint), ...spec.series.filter((s) => !s.faint)];

  const parts = [
    ...xAxis(x, style, top, bottom),
    ...yAxis(y, log, style, left, right),
    el('rect', { x: left, y: top, width: right - left, height: bottom - top, fill: 'none', stroke: AXIS }),
    textEl(spec.title, { class: 'chart-title', x: left, y: box.top + margin.top - 8, 'font-size': style.fontSize + 1, 'font-weight': 'bold' }),
    spec.xLabel === ''
      ? ''
      : textEl(spec.xLabel, {
          class: 'axis-label',
          x: (left + right) / 2,
          y: bottom + 2 * style.fontSize + 8,
          'text-anchor': 'middle',
          'font-size': style.fontSize,
        }),
    spec.yLabel === ''
      ? ''
      : textEl(spec.yLabel, {
          class: 'axis-label',
          transform: `translate(${box.left + style.fontSize + 2} ${(top + bottom) / 2}) rotate(-90)`,
          'text-anchor': 'middle',
          'font-size': style.fontSize,
        }),
    ...ordered.map((s) => seriesMarks(s, x, y, log, style)),
    style.legend ? legend(spec.series, style, right + 16, top + 8) : '',
  ];
  return el(
    'g',
    { class: 'chart', 'data-title': spec.title },
    parts.filter((p) => p !== ''),
  );
}

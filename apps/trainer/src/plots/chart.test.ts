import { FULL_CHART, logTickLabel, renderChart, type Series } from './chart';
import { svgDocument } from './svg';
import { byClass, findAll, parseSvg, textOf } from './test-fixtures';

const box = { left: 0, top: 0, width: 600, height: 300 };
const draw = (series: Series[], extra: { yDomain?: [number, number]; yLog?: boolean } = {}) =>
  parseSvg(svgDocument(600, 300, 'test', [renderChart({ title: 'T & <t>', xLabel: 'step', yLabel: 'loss', series, ...extra }, box, FULL_CHART)]));
const line = (name: string, ys: number[], draw: Series['draw'] = 'line'): Series => ({ name, color: '#000', points: ys.map((y, x) => ({ x, y })), draw });
const moves = (d: string) => (d.match(/M/g) ?? []).length;

describe('renderChart', () => {
  it('escapes every label: names with & and < stay well-formed and read back as written', () => {
    const svg = draw([line('a & <b> "c"', [1, 2, 3])]);
    expect(findAll(svg, byClass('legend-item')).map(textOf)).toEqual(['a & <b> "c"']);
    expect(findAll(svg, byClass('chart-title')).map(textOf)).toEqual(['T & <t>']);
    expect(findAll(svg, byClass('axis-label')).map(textOf)).toEqual(['step', 'loss']);
  });

  it('a non-finite value (a diverged loss) leaves a gap in the line', () => {
    const [path] = findAll(draw([line('loss', [1, NaN, 2, 3])]), byClass('series'));
    expect(moves(path.attrs.d)).toBe(2);
    const [whole] = findAll(draw([line('loss', [1, 1.5, 2, 3])]), byClass('series'));
    expect(moves(whole.attrs.d)).toBe(1);
  });

  it('a log axis leaves out values <= 0 and labels decades plainly, then in exponent notation', () => {
    const svg = draw([line('lr', [0.1, 0.01, 0, -1, 1e-5])], { yLog: true });
    const [path] = findAll(svg, byClass('series'));
    expect(moves(path.attrs.d)).toBe(2);
    const ticks = findAll(svg, byClass('tick')).map(textOf);
    expect(ticks).toEqual(expect.arrayContaining(['0.1', '0.01', '0.001', '1e-4', '1e-5']));
    expect(logTickLabel(0.02)).toBe('0.02');
    expect(logTickLabel(2e-4)).toBe('2e-4');
  });

  it('a fixed y range is kept; markers are drawn per point, and for a line of one point', () => {
    const svg = draw([line('acc', [0.2, 0.4], 'markers'), line('val', [0.3])], { yDomain: [0, 1] });
    const ys = findAll(svg, (e) => e.tag === 'text' && byClass('tick')(e) && e.attrs['text-anchor'] === 'end').map(textOf);
    expect(ys[0]).toBe('0.0');
    expect(ys.at(-1)).toBe('1.0');
    const dots = (name: string) => findAll(svg, (e) => byClass('markers')(e) && e.attrs['data-series'] === name)[0].children.length;
    expect(dots('acc')).toBe(2);
    expect(dots('val')).toBe(1);
  });
});

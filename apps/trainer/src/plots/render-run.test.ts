import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CELL_TYPES, deriveGenotype, opsOf, readAlphas, type Genotype } from '@pvnas/nas';
import { renderRunPlots } from './render-run';
import { byClass, findAll, makeFakeRun, parseSvg, textOf, type XmlElement } from './test-fixtures';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pvnas-plots-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const readSvg = (file: string): XmlElement => parseSvg(fs.readFileSync(file, 'utf8'));
const legendNames = (root: XmlElement): string[] => findAll(root, byClass('legend-item')).map((e) => e.attrs['data-series']);
const legendTexts = (root: XmlElement): string[] => findAll(root, byClass('legend-item')).map(textOf);
const seriesPaths = (root: XmlElement): XmlElement[] => findAll(root, (e) => e.tag === 'path' && byClass('series')(e));
const markers = (root: XmlElement, series: string): XmlElement[] =>
  findAll(root, (e) => byClass('markers')(e) && e.attrs['data-series'] === series).flatMap((g) => g.children.filter((c) => c.tag === 'circle'));
const chart = (root: XmlElement, title: string): XmlElement => {
  const found = findAll(root, (e) => byClass('chart')(e) && e.attrs['data-title'] === title);
  expect(found).toHaveLength(1);
  return found[0];
};
/** Points of an SVG path made of M and L commands. */
const pathPoints = (d: string): number => (d.match(/[ML]/g) ?? []).length;

describe('renderRunPlots on a search run', () => {
  const dir = path.join(tmp, 'search-1');
  const run = makeFakeRun(dir, { epochs: 2, stepsPerEpoch: 5 });
  let plots: string[];
  beforeAll(async () => {
    plots = await renderRunPlots(dir);
  });

  it('writes every plot into plots/, atomically (no temp file left), and returns them', () => {
    const names = ['curves.svg', ...CELL_TYPES.map((c) => `alphas-${c}.svg`), 'alphas-final.svg', ...CELL_TYPES.map((c) => `cell-${c}.svg`)];
    expect(plots).toEqual(names.map((n) => path.join(dir, 'plots', n)));
    expect(fs.readdirSync(path.join(dir, 'plots')).sort()).toEqual([...names].sort());
    for (const file of plots) expect(readSvg(file).tag).toBe('svg');
  });

  it('curves: loss (weight and alpha), accuracy with validation, learning rates; epoch ends as markers', () => {
    const svg = readSvg(path.join(dir, 'plots', 'curves.svg'));
    const loss = chart(svg, 'loss: weight step and alpha step');
    expect(legendNames(loss)).toEqual(['weight loss (step)', 'alpha loss (step)', 'weight loss (epoch mean)']);
    for (const p of seriesPaths(loss).filter((p) => p.attrs['data-series'].endsWith('(step)'))) expect(pathPoints(p.attrs.d)).toBe(10);
    expect(markers(loss, 'weight loss (epoch mean)')).toHaveLength(2);
    const acc = chart(svg, 'top-1 accuracy');
    expect(legendNames(acc)).toEqual(['train acc (step)', 'train acc (epoch mean)', 'val acc (epoch end)']);
    expect(markers(acc, 'val acc (epoch end)')).toHaveLength(2);
    const lr = chart(svg, 'learning rate');
    expect(legendNames(lr)).toEqual(['weights lr', 'alphas lr']);
    const axisLabels = findAll(svg, byClass('axis-label')).map(textOf);
    expect(axisLabels).toEqual(['step', 'cross-entropy loss', 'step', 'accuracy', 'step', 'learning rate (log)']);
    // the accuracy axis is [0, 1]: its ticks run from 0 to 1
    const accTicks = findAll(acc, byClass('tick')).map(textOf);
    expect(accTicks).toEqual(expect.arrayContaining(['0.0', '1.0']));
  });

  it('alpha evolution: per category, one line per op (legend: the op names), and 14 edge charts with one line per op', () => {
    for (const category of CELL_TYPES) {
      const svg = readSvg(path.join(dir, 'plots', `alphas-${category}.svg`));
      const ops = [...opsOf(category)];
      const mean = findAll(svg, byClass('mean-chart'))[0];
      expect(legendNames(mean)).toEqual(ops);
      expect(legendTexts(mean)).toEqual(ops);
      expect(seriesPaths(mean).map((p) => p.attrs['data-series'])).toEqual(ops);
      for (const p of seriesPaths(mean)) expect(pathPoints(p.attrs.d)).toBe(run.epochs * run.stepsPerEpoch);
      const edges = findAll(svg, byClass('edge-chart'));
      expect(edges.map((e) => e.attrs['data-edge'])).toEqual(Array.from({ length: 14 }, (_, e) => String(e)));
      for (const e of edges) expect(seriesPaths(e).map((p) => p.attrs['data-series'])).toEqual(ops);
      expect(findAll(svg, byClass('chart-title')).map(textOf)).toEqual(expect.arrayContaining(['edge 0: c_{k-2} → 0', 'edge 13: 2 → 3']));
    }
  });

  it('cells: every edge of the genotype, from the right input to the right node, labelled with its op; concat edges to c_{k}', () => {
    const genotype = run.genotype as Genotype;
    const state = (s: number) => (s === 0 ? 'c_{k-2}' : s === 1 ? 'c_{k-1}' : String(s - 2));
    for (const category of CELL_TYPES) {
      const svg = readSvg(path.join(dir, 'plots', `cell-${category}.svg`));
      const nodes = findAll(svg, byClass('node')).map((n) => textOf(n.children.find((c) => c.tag === 'title') as XmlElement));
      expect(nodes.sort()).toEqual(['0', '1', '2', '3', 'c_{k-1}', 'c_{k-2}', 'c_{k}'].sort());
      const drawn = findAll(svg, byClass('edge')).map((g) => {
        const title = textOf(g.children.find((c) => c.tag === 'title') as XmlElement);
        const label = g.children
          .filter((c) => c.tag === 'text')
          .map(textOf)
          .join('');
        return `${title} ${label}`.trim();
      });
      const cell = genotype.cells[category];
      const want = [...cell.edges.map(([op, input], k) => `${state(input)}->${Math.floor(k / 2)} ${op}`), ...cell.concat.map((s) => `${state(s)}->c_{k}`)];
      expect(drawn.sort()).toEqual(want.sort());
      expect(drawn.filter((d) => !d.includes('c_{k}')).length).toBe(8);
    }
  });

  it('re-rendering replaces the files; a bad metrics line is named (file:line) and leaves the plots as they were', async () => {
    const curves = path.join(dir, 'plots', 'curves.svg');
    const before = fs.readFileSync(curves, 'utf8');
    expect(await renderRunPlots(dir)).toEqual(plots);
    expect(fs.readFileSync(curves, 'utf8')).toBe(before);

    const metrics = path.join(dir, 'metrics.jsonl');
    const good = fs.readFileSync(metrics, 'utf8');
    const lines = good.split('\n');
    lines.splice(2, 0, '{"kind":"step","phase":"search"}');
    fs.writeFileSync(metrics, lines.join('\n'));
    try {
      await expect(renderRunPlots(dir)).rejects.toThrow(`metrics ${metrics}:3 is not a metric record`);
      fs.writeFileSync(curves, 'old');
      await expect(renderRunPlots(dir)).rejects.toThrow(/metrics\.jsonl:3/);
      expect(fs.readFileSync(curves, 'utf8')).toBe('old');
    } finally {
      fs.writeFileSync(metrics, good);
    }
  });
});

describe('renderRunPlots: what the folder lacks is skipped', () => {
  it('a retrain run (no alphas, no genotype) gets its curves only, without the search series', async () => {
    const dir = path.join(tmp, 'retrain-1');
    makeFakeRun(dir, { phase: 'retrain', alphasInMetrics: false, alphasFiles: false, genotype: null, valAcc: false });
    const plots = await renderRunPlots(dir);
    expect(plots).toEqual([path.join(dir, 'plots', 'curves.svg')]);
    const svg = readSvg(plots[0]);
    expect(legendNames(chart(svg, 'training loss'))).toEqual(['train loss (step)', 'train loss (epoch mean)']);
    expect(legendNames(chart(svg, 'top-1 accuracy'))).toEqual(['train acc (step)', 'train acc (epoch mean)']);
    expect(legendNames(chart(svg, 'learning rate'))).toEqual(['weights lr']);
  });

  it('alphas only in alphas/epoch-NNN.json: evolution by epoch (a point per file), final heat map outlines what derivation keeps', async () => {
    const dir = path.join(tmp, 'search-files');
    const run = makeFakeRun(dir, { epochs: 3, alphasInMetrics: false, genotype: null });
    const plots = await renderRunPlots(dir);
    expect(plots.map((p) => path.basename(p))).toEqual(['curves.svg', ...CELL_TYPES.map((c) => `alphas-${c}.svg`), 'alphas-final.svg']);
    const svg = readSvg(path.join(dir, 'plots', 'alphas-temporal_reduce.svg'));
    expect(findAll(svg, byClass('axis-label')).map(textOf)).toEqual(['epoch (0 = initial alphas)', 'softmax weight']);
    const mean = findAll(svg, byClass('mean-chart'))[0];
    for (const op of opsOf('temporal_reduce')) expect(markers(mean, op)).toHaveLength(run.epochs + 1);

    const last = readAlphas(path.join(dir, 'alphas', 'epoch-003.json'));
    const derived = deriveGenotype(last, {});
    const heat = readSvg(path.join(dir, 'plots', 'alphas-final.svg'));
    expect(textOf(heat)).toContain('after epoch 3');
    for (const category of CELL_TYPES) {
      const map = findAll(heat, (e) => byClass('heat-map')(e) && e.attrs['data-category'] === category)[0];
      const cells = findAll(map, byClass('cell'));
      expect(cells).toHaveLength(14 * opsOf(category).length);
      const outlined = new Map(cells.filter((c) => c.attrs.stroke === '#000').map((c) => [Number(c.attrs['data-edge']), c.attrs['data-op']]));
      expect(outlined.size).toBe(14);
      // every edge derivation kept: its op is the outlined one
      const rowOf = (node: number, input: number) => (node * (node + 3)) / 2 + input;
      derived.cells[category].edges.forEach(([op, input], k) => expect(outlined.get(rowOf(Math.floor(k / 2), input))).toBe(op));
    }
  });

  it('a run that has not finished a step (run.json, no metrics yet) gets its cells only', async () => {
    const dir = path.join(tmp, 'retrain-new');
    makeFakeRun(dir, { phase: 'retrain', alphasInMetrics: false, alphasFiles: false });
    fs.rmSync(path.join(dir, 'metrics.jsonl'));
    fs.writeFileSync(path.join(dir, 'run.json'), '{}');
    const plots = await renderRunPlots(dir);
    expect(plots.map((p) => path.basename(p))).toEqual(CELL_TYPES.map((c) => `cell-${c}.svg`));
  });

  it('a folder without metrics.jsonl or run.json is not a run folder; a missing folder is named', async () => {
    const dir = path.join(tmp, 'not-a-run');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'genotype.json'), '{}');
    await expect(renderRunPlots(dir)).rejects.toThrow(`${dir} is not a run folder: it has neither metrics.jsonl nor run.json`);
    await expect(renderRunPlots(path.join(tmp, 'nope'))).rejects.toThrow(`run folder ${path.join(tmp, 'nope')} does not exist`);
    expect(fs.existsSync(path.join(dir, 'plots'))).toBe(false);
  });
});

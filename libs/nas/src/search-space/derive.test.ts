import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { softmax } from '@pvnas/base';
import { deriveCell, deriveGenotype } from './derive';
import { readAlphas, readGenotype, writeAlphas, writeGenotype, type Alphas } from './genotype';
import { cellCount, exactJson, spaceSize } from './space-size';
import { CELL_TYPES } from './cell-types';
import { SPATIAL_OPS, TEMPORAL_OPS } from '../operations';

const flat = (n: number, ops: number): number[][] => Array.from({ length: n }, () => new Array(ops).fill(0));
const idx = (op: string) => TEMPORAL_OPS.indexOf(op as never);

describe('deriveCell', () => {
  it('takes per edge the best non-none op, per node the two strongest edges, in edge order', () => {
    const rows = flat(14, 8);
    // node 0 (edges 0, 1): none dominates edge 0, but none is never chosen; edge 0's best other op is sep
    rows[0][idx('none')] = 9;
    rows[0][idx('sep_conv_1x3x3')] = 2;
    rows[1][idx('max_pool_1x3x3')] = 1;
    // node 1 (edges 2..4): edge 4 (input 2) strongest, then edge 2 (input 0)
    rows[4][idx('temporal_conv_3+1x1')] = 5;
    rows[2][idx('dil_conv_1x3x3')] = 3;
    rows[3][idx('skip_connect')] = 1;
    const g = deriveCell(rows, TEMPORAL_OPS);
    expect(g.edges.slice(0, 4)).toEqual([
      ['sep_conv_1x3x3', 0],
      ['max_pool_1x3x3', 1],
      ['dil_conv_1x3x3', 0],
      ['temporal_conv_3+1x1', 2],
    ]);
    expect(g.concat).toEqual([2, 3, 4, 5]);
  });

  it('breaks ties toward the earlier edge and the earlier op', () => {
    const g = deriveCell(flat(14, 6), SPATIAL_OPS); // all equal: every edge picks skip_connect (first non-none)
    expect(g.edges).toEqual([
      ['skip_connect', 0],
      ['skip_connect', 1],
      ['skip_connect', 0],
      ['skip_connect', 1],
      ['skip_connect', 0],
      ['skip_connect', 1],
      ['skip_connect', 0],
      ['skip_connect', 1],
    ]);
  });

  it('compares softmax weights within each edge, not raw alphas across edges', () => {
    const rows = flat(14, 6);
    rows[0] = [0, 0, 0, 0, 3, 0]; // sep weighs e^3 / (5 + e^3) = 0.80
    rows[1] = [10, 10, 10, 10, 10, 11]; // dil weighs e / (5 + e) = 0.35 despite the larger alpha
    rows[0 + 0] = rows[0];
    expect(softmax(rows[0])[4]).toBeCloseTo(Math.exp(3) / (5 + Math.exp(3)), 10);
    const g = deriveCell(rows, SPATIAL_OPS);
    expect(g.edges.slice(0, 2)).toEqual([
      ['sep_conv_1x3x3', 0],
      ['dil_conv_1x3x3', 1],
    ]);
  });
});

describe('genotype and alphas files', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pvnas-genotype-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const alphas: Alphas = {
    ops: { spatial: [...SPATIAL_OPS], temporal: [...TEMPORAL_OPS] } as never,
    spatial_normal: flat(14, 6).map((r, i) => r.map((_, k) => Math.sin(i * 7 + k))),
    spatial_reduce: flat(14, 6).map((r, i) => r.map((_, k) => Math.cos(i * 3 + k))),
    temporal_normal: flat(14, 8).map((r, i) => r.map((_, k) => Math.sin(i + 5 * k))),
    temporal_reduce: flat(14, 8).map((r, i) => r.map((_, k) => Math.cos(2 * i + k))),
  };

  it('round-trips alphas and the genotype derived from them', () => {
    writeAlphas(path.join(dir, 'a.alphas.json'), alphas);
    const back = readAlphas(path.join(dir, 'a.alphas.json'));
    expect(back).toEqual(alphas);
    const g = deriveGenotype(back, { run: 'r1', epoch: 3 });
    writeGenotype(path.join(dir, 'g.genotype.json'), g);
    expect(readGenotype(path.join(dir, 'g.genotype.json'))).toEqual(g);
    expect(Object.keys(g.cells)).toEqual([...CELL_TYPES]);
  });

  it('reads an alphas file by the op names it lists, in any order', () => {
    const file = path.join(dir, 'permuted.alphas.json');
    // the same alphas written by a tool that orders ops differently: reversed columns
    const reversed = (rows: number[][]) => rows.map((r) => [...r].reverse());
    fs.writeFileSync(
      file,
      JSON.stringify({
        ops: { spatial: [...SPATIAL_OPS].reverse(), temporal: [...TEMPORAL_OPS].reverse() },
        spatial_normal: reversed(alphas.spatial_normal),
        spatial_reduce: reversed(alphas.spatial_reduce),
        temporal_normal: reversed(alphas.temporal_normal),
        temporal_reduce: reversed(alphas.temporal_reduce),
      }),
    );
    const back = readAlphas(file);
    expect(back).toEqual(alphas);
    expect(deriveGenotype(back)).toEqual(deriveGenotype(alphas));
    const [first, ...rest] = SPATIAL_OPS;
    fs.writeFileSync(file, JSON.stringify({ ...alphas, ops: { ...alphas.ops, spatial: [...rest, 'conv_7x7'] } }));
    expect(() => readAlphas(file)).toThrow(new RegExp(`${file}.*ops.spatial: must name each spatial op once.*missing ${first}; unknown or repeated conv_7x7`));
  });

  it('refuses bad files naming the file and the field', () => {
    const bad = path.join(dir, 'bad.genotype.json');
    const g = deriveGenotype(alphas);
    fs.writeFileSync(
      bad,
      JSON.stringify({
        ...g,
        cells: { ...g.cells, spatial_normal: { ...g.cells.spatial_normal, edges: [['temporal_conv_3+3x3', 0], ...g.cells.spatial_normal.edges.slice(1)] } },
      }),
    );
    expect(() => readGenotype(bad)).toThrow(new RegExp(`${bad}.*cells.spatial_normal.edges.0: temporal_conv_3\\+3x3 is not a spatial op`));
    fs.writeFileSync(bad, '{ nope');
    expect(() => readGenotype(bad)).toThrow(/is not JSON/);
    expect(() => readGenotype(path.join(dir, 'missing.json'))).toThrow(/does not exist/);
    const badAlphas = path.join(dir, 'bad.alphas.json');
    fs.writeFileSync(badAlphas, JSON.stringify({ ...alphas, temporal_reduce: alphas.temporal_reduce.slice(1) }));
    expect(() => readAlphas(badAlphas)).toThrow(/temporal_reduce/);
  });
});

describe('search space size', () => {
  it('equals the closed form: prod over nodes of C(i+2, 2) K^2', () => {
    expect(cellCount('spatial_normal')).toBe(180n * 5n ** 8n);
    expect(cellCount('temporal_reduce')).toBe(180n * 7n ** 8n);
    const s = spaceSize();
    expect(s.spatial).toBe(70_312_500n); // paper: about 7e7
    expect(s.temporal).toBe(1_037_664_180n); // paper: about 1e9
    expect(s.network).toBe(s.spatial ** 2n * s.temporal ** 2n);
    expect(Number(s.network)).toBeCloseTo(5.32e33, -31); // paper: 4.9e33 from the rounded factors
    expect(exactJson(s.spatial)).toBe(70312500);
    expect(exactJson(s.network)).toBe(s.network.toString());
  });
});

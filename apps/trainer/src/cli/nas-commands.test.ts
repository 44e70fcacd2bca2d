import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readGenotype, SPATIAL_OPS, TEMPORAL_OPS, CONV_OPS } from '@pvnas/nas';

const BIN = path.resolve(__dirname, '..', '..', 'bin', 'pvnas.js');
const run = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });

describe('pvnas space / derive / count / random-arch', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pvnas-cli-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('space prints exact counts, the network count as a string', () => {
    const r = run('space');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ spatial: 70312500, temporal: 1037664180, network: (70312500n ** 2n * 1037664180n ** 2n).toString() });
  });

  it('random-arch writes a seeded genotype with >= 4 convolutions per cell; derive and count read files', () => {
    const a = path.join(dir, 'a.genotype.json'),
      b = path.join(dir, 'b.genotype.json');
    expect(run('random-arch', '--seed', '7', '--out', a).status).toBe(0);
    expect(run('random-arch', '--seed', '7', '--out', b).status).toBe(0);
    expect(fs.readFileSync(a, 'utf8')).toBe(fs.readFileSync(b, 'utf8'));
    const g = readGenotype(a);
    for (const cell of Object.values(g.cells)) expect(cell.edges.filter(([op]) => CONV_OPS.includes(op)).length).toBeGreaterThanOrEqual(4);
    // --spatial-only: a 2D network, no temporal op in any cell
    const flat = path.join(dir, '2d.genotype.json');
    expect(run('random-arch', '--seed', '7', '--spatial-only', '--out', flat).status).toBe(0);
    const g2 = readGenotype(flat);
    for (const cell of Object.values(g2.cells)) {
      expect(cell.edges.every(([op]) => (SPATIAL_OPS as readonly string[]).includes(op))).toBe(true);
      expect(cell.edges.filter(([op]) => CONV_OPS.includes(op)).length).toBeGreaterThanOrEqual(4);
    }

    const alphasFile = path.join(dir, 'x.alphas.json');
    const rows = (n: number) => Array.from({ length: 14 }, (_, i) => Array.from({ length: n }, (_, k) => (k === 1 + (i % (n - 1)) ? 1 : 0)));
    fs.writeFileSync(
      alphasFile,
      JSON.stringify({
        ops: { spatial: SPATIAL_OPS, temporal: TEMPORAL_OPS },
        spatial_normal: rows(6),
        spatial_reduce: rows(6),
        temporal_normal: rows(8),
        temporal_reduce: rows(8),
        source: { run: 'r', epoch: 4 },
      }),
    );
    const out = path.join(dir, 'x.genotype.json');
    const d = run('derive', '--alphas', alphasFile, '--out', out);
    expect(d.status).toBe(0);
    expect(readGenotype(out).cells.spatial_normal.edges[0]).toEqual(['skip_connect', 0]);
    expect(readGenotype(out).source?.epoch).toBe(4);

    const c = JSON.parse(run('count', '--genotype', out, '--layout', 'M', '--frames', '4', '--size', '112', '--classes', '10').stdout);
    expect(c).toMatchObject({ layout: 'M', repeats: 2, channels: 100, input: [4, 112, 112, 3], classes: 10 });
    expect(c.params).toBeGreaterThan(1e6);
    expect(c.gflops).toBeGreaterThan(0);
  });

  it('bad input: a missing or invalid file is named on stderr, nothing on stdout, exit 1', () => {
    const r = run('count', '--genotype', path.join(dir, 'nope.json'));
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/nope\.json does not exist/);
    const bad = path.join(dir, 'bad.alphas.json');
    fs.writeFileSync(bad, JSON.stringify({ ops: {}, spatial_normal: [] }));
    const d = run('derive', '--alphas', bad, '--out', path.join(dir, 'o.json'));
    expect(d.status).toBe(1);
    expect(d.stderr).toMatch(/bad\.alphas\.json is not valid/);
  });
});

describe('pvnas export', () => {
  it('writes a saved derived network as a tfjs graph model that gives the same logits; a missing model is named', async () => {
    const tf = await import('@tensorflow/tfjs-core');
    const { loadGraphModel } = await import('@tensorflow/tfjs-converter');
    const { selectBackend, DerivedNetwork, defaultLayout, randomGenotype, saveDerived, graphModelFiles, EVAL } = await import('@pvnas/nas');
    await selectBackend({ backend: 'cpu', log: null });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pvnas-export-'));
    const net = new DerivedNetwork(randomGenotype(3), { channels: 4, classes: 6, layout: defaultLayout(1), stemStride: 2, dropout: 0.4, seed: 1 });
    try {
      await saveDerived(net, path.join(dir, 'model'));
      const r = run('export', '--model', path.join(dir, 'model'), '--out', path.join(dir, 'graph'), '--frames', '2', '--size', '16');
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ input: [-1, 2, 16, 16, 3], output: [-1, 6] });
      const x = tf.randomNormal([3, 2, 16, 16, 3], 0, 1, 'float32', 2);
      const want = tf.tidy(() => net.forward(x as never, EVAL));
      const model = await loadGraphModel(graphModelFiles(path.join(dir, 'graph')));
      const got = model.execute(x) as import('@tensorflow/tfjs-core').Tensor;
      expect(tf.max(tf.abs(tf.sub(want, got))).dataSync()[0]).toBeLessThan(1e-5 * Math.max(1, tf.max(tf.abs(want)).dataSync()[0]));
      tf.dispose([x, want, got]);
      model.dispose();

      const missing = run('export', '--model', path.join(dir, 'nope'), '--out', path.join(dir, 'g2'));
      expect(missing.status).toBe(1);
      expect(missing.stderr).toMatch(/nope.model\.json does not exist/);
    } finally {
      net.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

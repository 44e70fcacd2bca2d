import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { makeFakeRun, parseSvg } from '../plots/test-fixtures';

const BIN = path.resolve(__dirname, '..', '..', 'bin', 'pvnas.js');
const run = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });

describe('pvnas plot RUN', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pvnas-plot-cli-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('draws every plot of a run folder and prints {"run", "plots"}', () => {
    const runDir = path.join(dir, 'search-7');
    makeFakeRun(runDir, { epochs: 2, stepsPerEpoch: 3 });
    const r = run('plot', runDir);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { run: string; plots: string[] };
    expect(out.run).toBe(runDir);
    expect(out.plots).toHaveLength(10);
    expect(out.plots).toContain(path.join(runDir, 'plots', 'cell-temporal_reduce.svg'));
    for (const file of out.plots) expect(parseSvg(fs.readFileSync(file, 'utf8')).tag).toBe('svg');
  });

  it('not a run folder: exit 1, the folder named on stderr, nothing on stdout', () => {
    const r = run('plot', dir);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`pvnas: ${dir} is not a run folder: it has neither metrics.jsonl nor run.json\n`);
  });
});

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomGenotype, writeGenotype, type BackendInfo } from '@pvnas/nas';
import { resolveConfig } from '../config/load';
import { WORKSPACE } from '../data/datasets';
import { RunFolder } from '../run/run-folder';
import { BUNDLED_GENOTYPE, chooseGenotype } from './retrain';

const backend: BackendInfo = { name: 'cpu', tfjsBackend: 'cpu', requested: 'cpu', threads: 1, device: 'cpu', versions: {}, skipped: [] };
const k400 = { source: 'manifest', train: { format: 'kinetics', csv: '/data/k400/train.csv', root: '/data/k400' } };

describe('the genotype a retrain takes', () => {
  let runsDir: string;
  beforeEach(() => (runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pvnas-choose-'))));
  afterEach(() => fs.rmSync(runsDir, { recursive: true, force: true }));

  /** A finished search run folder on `data`, with its genotype and verdict. */
  function search(name: string, data: unknown, informative: boolean, seed: number): string {
    const run = RunFolder.create(path.join(runsDir, name), { command: 'search', preset: 'search', seed: 0, config: { data }, backend, workspace: WORKSPACE });
    writeGenotype(run.path('genotype.json'), randomGenotype(seed));
    run.update({ status: 'done', verdict: { informative, reason: 'test' } });
    return run.path('genotype.json');
  }

  const retrain = (data: unknown, extra: Record<string, unknown> = {}) => resolveConfig('retrain', 'kinetics', { flags: { data, runsDir, ...extra } });

  it('on a real dataset: never the bundled or a sample-set genotype; asks for --genotype instead', () => {
    search('sample-search', { source: 'sample', layout: 'kinetics' }, true, 1);
    expect(() => chooseGenotype(retrain(k400), () => {})).toThrow(
      /no finished search on this training data \(with a supernet above chance\) under .*: give the genotype to retrain with --genotype FILE/,
    );
  });

  it('on a real dataset: the newest finished search on the same data whose supernet learned', async () => {
    const older = search('a-older', k400, true, 2);
    await new Promise((r) => setTimeout(r, 5)); // runs are ordered by start time
    const newer = search('b-newer', k400, true, 3);
    expect(chooseGenotype(retrain(k400), () => {}).from).toBe(newer);
    // a newer search at chance is passed over
    await new Promise((r) => setTimeout(r, 5));
    search('c-at-chance', k400, false, 4);
    expect(chooseGenotype(retrain(k400), () => {}).from).toBe(newer);
    expect(older).not.toBe(newer);
  });

  it('--genotype wins; the sample set falls back to the bundled genotype, saying so', () => {
    const file = search('x', k400, false, 5);
    expect(chooseGenotype(retrain(k400, { genotype: file }), () => {}).from).toBe(file);
    const log = jest.fn();
    expect(chooseGenotype(retrain(undefined), log).from).toBe(BUNDLED_GENOTYPE);
    expect(log).toHaveBeenCalledWith(expect.stringMatching(/retraining the bundled genotype/));
  });
});

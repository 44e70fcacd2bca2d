import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError, mergeConfig, parseSets, resolveConfig } from './load';

const manifest = { source: 'manifest', train: { format: 'kinetics', csv: 'train.csv', root: 'videos' } };

describe('trainer config', () => {
  let dir: string;
  beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pvnas-config-'))));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('paper defaults for a dataset, the small preset for the sample set', () => {
    const full = resolveConfig('search', 'kinetics', { flags: { data: manifest } });
    expect(full).toMatchObject({ epochs: 80, channels: 64, batchSize: 32, clips: { jitter: [128, 164], crop: 112, flipP: 0.5, frames: 8, window: 64 } });
    expect(full.optim).toMatchObject({
      weightLr: { kind: 'step', initial: 0.1, gamma: 0.1, stepEpochs: 20 },
      momentum: 0.9,
      weightDecay: 1e-4,
      alphaLr: 1e-3,
      alphaBetas: [0, 0.999],
      gradClip: null,
    });
    const sample = resolveConfig('search', 'kinetics', {});
    expect(sample).toMatchObject({ data: { source: 'sample', layout: 'kinetics' }, channels: 8, clips: { flipP: 0, crop: 32 } });
    const ssv2 = resolveConfig('retrain', 'ssv2', { flags: { data: manifest } });
    expect(ssv2).toMatchObject({
      epochs: 196,
      repeats: 1,
      channels: 64,
      dropout: 0.4,
      clips: { jitter: [256, 320], crop: 224, flipP: 0 },
      optim: { lr: { kind: 'cosine', warmupEpochs: 36 }, momentum: 0.9, weightDecay: 1e-4, dropPath: 0, gradClip: null },
    });
    expect(resolveConfig('retrain', 'ucf101', { flags: { data: manifest } }).clips).toMatchObject({ jitter: [128, 256], crop: 112, flipP: 0.5 });
    expect(resolveConfig('retrain', 'kinetics', { flags: { data: manifest } }).clips.flipP).toBe(0.5);
    expect(resolveConfig('retrain', 'ssv2', {}).data).toEqual({ source: 'sample', layout: 'ssv2' });
  });

  it('a file (YAML or JSON) overrides the preset, flags override the file, key by key', () => {
    const yaml = path.join(dir, 'c.yaml');
    fs.writeFileSync(yaml, 'epochs: 5\nclips:\n  crop: 100\n  jitter: [110, 120]\noptim:\n  weightLr: { kind: cosine }\n');
    const c = resolveConfig('search', 'kinetics', { file: yaml, flags: { data: manifest, epochs: 7, ...parseSets(['optim.gradClip=5', 'name=my-run']) } });
    expect(c).toMatchObject({
      epochs: 7,
      name: 'my-run',
      clips: { crop: 100, jitter: [110, 120], flipP: 0.5 },
      optim: { weightLr: { kind: 'cosine', initial: 0.1 }, gradClip: 5 },
    });
    const json = path.join(dir, 'c.json');
    fs.writeFileSync(json, JSON.stringify({ data: manifest, batchSize: 3 }));
    expect(resolveConfig('search', 'kinetics', { file: json }).batchSize).toBe(3);
  });

  it('names the bad key, the rule and the source', () => {
    const bad = (flags: Record<string, unknown>) => () => resolveConfig('search', 'kinetics', { flags });
    expect(bad({ epochz: 3 })).toThrow(/bad search config \(from command-line flags\): epochz: unknown key/);
    expect(bad({ clips: { crop: 200 } })).toThrow(/clips\.crop: crop must be <= jitter\[0\]/);
    expect(bad({ seed: -1 })).toThrow(/seed: /);
    expect(bad({ data: { source: 'manifest', train: { format: 'kinetics', csv: 'a.csv' } } })).toThrow(/data\.train\.root/);
    expect(() => parseSets(['novalue'])).toThrow(ConfigError);
    expect(() => resolveConfig('search', 'kinetics', { file: path.join(dir, 'nope.yaml') })).toThrow(/nope\.yaml does not exist/);
    fs.writeFileSync(path.join(dir, 'list.yaml'), '- 1\n- 2\n');
    expect(() => resolveConfig('search', 'kinetics', { file: path.join(dir, 'list.yaml') })).toThrow(/must hold an object of settings/);
  });

  it('merges objects key by key but replaces arrays and the data source whole', () => {
    expect(mergeConfig({ a: { b: 1, c: [1, 2] }, data: { source: 'sample', layout: 'ssv2' } }, { a: { c: [3] }, data: manifest })).toEqual({
      a: { b: 1, c: [3] },
      data: manifest,
    });
    expect(parseSets(['a.b=1', 'a.c="x"', 'd=[1,2]', 'e=text'])).toEqual({ a: { b: 1, c: 'x' }, d: [1, 2], e: 'text' });
  });
});

/**
 * `pvnas ablation`, a tiny smoke variant end to end with real processes: 2 classes, 1 seed (a step and a
 * cosine search), 1 random genotype, one stop-early snapshot, the 2D baseline; each retrained and evaluated in
 * order and on shuffled frames. Stopped with a terminal's Ctrl-C (SIGINT to its process group) or killed
 * outright (its runs stop at a checkpoint by themselves), it continues with the same command and redoes
 * nothing finished; a different config in the same folder is refused.
 */
import fs from 'node:fs';
import path from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import { stringify } from 'yaml';
import { generateSampleDataset } from '@pvnas/sample';
import { killTree, PVNAS_BIN, runCli, startCli, waitFor } from './support/cli';
import { makeTempDir } from './support/datasets';

const json = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));

describe('pvnas ablation (smoke size)', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let configFile: string;

  beforeAll(async () => {
    tmp = makeTempDir('e2e-ablation');
    const root = path.join(tmp.dir, 'tiny');
    await generateSampleDataset({
      root,
      classes: 2,
      trainPerClass: 4,
      valPerClass: 2,
      width: 64,
      height: 48,
      seconds: [1.2, 1.5],
      layouts: ['kinetics'],
      log: null,
    });
    const clips = { frames: 4, window: 16, jitter: [24, 28], crop: 24, flipP: 0 };
    const tiny = { batchSize: 2, channels: 2, logEvery: 1, clips };
    configFile = path.join(tmp.dir, 'ablation.yaml');
    fs.writeFileSync(
      configFile,
      stringify({
        seeds: [1],
        randomGenotypes: 1,
        stopEarly: [0.5],
        jobs: 2,
        // relative to this file, as in any config
        data: {
          source: 'manifest',
          train: { format: 'kinetics', csv: 'tiny/kinetics/annotations/train.csv', root: 'tiny/kinetics' },
          val: {
            format: 'kinetics',
            csv: 'tiny/kinetics/annotations/validate.csv',
            root: 'tiny/kinetics',
            classesFromCsv: 'tiny/kinetics/annotations/train.csv',
          },
        },
        search: { ...tiny, epochs: 2, checkpointEvery: 1, trainingFree: { batch: 2, regionSamples: 64 } },
        retrain: { ...tiny, epochs: 2, stemStride: 1, checkpointEvery: 1 },
        evaluate: { clipsPerVideo: 2, batchSize: 4 },
      }),
    );
  }, 120_000);
  afterAll(() => process.env.KEEP_TMP || tmp.remove());

  it('runs every variant, writes the tables and figures, stops on SIGINT and continues without redoing finished runs', async () => {
    const args = ['ablation', '--config', 'ablation.yaml', '--name', 'smoke'];
    const dir = path.join(tmp.dir, 'runs', 'smoke');
    // in its own process group, stopped as a terminal's Ctrl-C does: SIGINT to the whole group
    const first = startCli(PVNAS_BIN, args, { cwd: tmp.dir, timeoutMs: 300_000, detached: true });
    // stop once a run has finished and another one has a checkpoint
    const running = (): string | undefined => {
      const runs = path.join(dir, 'runs');
      if (!fs.existsSync(runs)) return undefined;
      return fs
        .readdirSync(runs)
        .find((id) => fs.existsSync(path.join(runs, id, 'checkpoints', 'latest.json')) && json(path.join(runs, id, 'run.json')).status === 'running');
    };
    const finished = await waitFor(
      'a finished run and a checkpoint of a running one',
      () => {
        const done = /ablation: (\S+) done in/.exec(first.stderrSoFar())?.[1];
        return done && running() ? done : undefined;
      },
      240_000,
      20,
    );
    killTree(first.child, 'SIGINT');
    const stopped = await first.done;
    expect(stopped.stderr).toMatch(/stopping; \d run\(s\) write a checkpoint and stop/);
    expect([stopped.code, stopped.code === 130 ? '' : stopped.stderr.slice(-3000)]).toEqual([130, '']);
    const startedBefore = json(path.join(dir, 'runs', finished, 'run.json')).started;
    // runs caught mid-way stopped with a checkpoint (one may have finished its last step instead)
    const runs = path.join(dir, 'runs');
    const wasStopped = fs
      .readdirSync(runs)
      .filter((id) => fs.existsSync(path.join(runs, id, 'run.json')) && json(path.join(runs, id, 'run.json')).status === 'stopped');

    // the ablation killed outright: its runs notice (their IPC channel closes) and stop at a checkpoint by themselves
    const second = startCli(PVNAS_BIN, args, { cwd: tmp.dir, timeoutMs: 300_000 });
    for (const id of wasStopped)
      await waitFor(`${id} continuing`, () => (new RegExp(`continuing ${id}\\b`).test(second.stderrSoFar()) ? true : undefined), 60_000, 20);
    const orphan = await waitFor('a running run with a checkpoint', running, 240_000, 20);
    killTree(second.child, 'SIGKILL');
    await second.done;
    // (or finishing: it may have been at its last step)
    const orphanEnd = await waitFor(
      `${orphan} stopping by itself`,
      () => {
        const status = json(path.join(runs, orphan, 'run.json')).status;
        return status === 'stopped' || status === 'done' ? status : undefined;
      },
      60_000,
      50,
    );

    const r = await runCli(PVNAS_BIN, args, { cwd: tmp.dir, timeoutMs: 400_000 });
    expect(r.stderr).toMatch(/ablation: 10 runs, [1-9]\d* already done/);
    if (orphanEnd === 'stopped') expect(r.stderr).toMatch(new RegExp(`continuing ${orphan}\\b`)); // from its checkpoint
    expect(r.stderr).not.toMatch(new RegExp(`(starting|continuing) ${finished}\\b`));
    expect([r.code, r.code === 0 ? '' : r.stderr.slice(-3000)]).toEqual([0, '']);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'done', dir, report: path.join(dir, 'ablation.md') });
    expect(json(path.join(dir, 'runs', finished, 'run.json')).started).toBe(startedBefore);

    const res = json(path.join(dir, 'ablation.json'));
    expect(res.budget).toMatchObject({ searchEpochs: 2, retrainEpochs: 2, views: 6, trainClips: 8, valClips: 4, classes: 2 });
    expect(res.searches.map((s: { id: string }) => s.id)).toEqual(['search-step-s1', 'search-cosine-s1']);
    for (const s of res.searches) {
      expect(s.counts.temporal_normal.paramFree + s.counts.temporal_normal.convs).toBeLessThanOrEqual(8);
      expect(s.paramFreeShare).toHaveLength(3); // epochs 0, 1, 2
      expect(s.valAcc).toEqual(expect.any(Number));
    }
    // the two searches differ only in the schedule: their learning rates part after the first step
    const lr = (id: string) =>
      fs
        .readFileSync(path.join(dir, 'runs', id, 'metrics.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
        .filter((m) => m.kind === 'step')
        .map((m) => m.lr.weights);
    expect(lr('search-step-s1').at(-1)).toBe(lr('search-step-s1')[0]);
    expect(lr('search-cosine-s1').at(-1)).toBeLessThan(0.6 * lr('search-cosine-s1')[0]);
    expect(lr('search-cosine-s1')[0]).toBe(lr('search-step-s1')[0]);
    const variantIds = ['random-r1', 'searched-s1', 'early-e1', '2d'];
    expect(res.variants.map((v: { variant: string }) => v.variant)).toEqual(variantIds);
    for (const v of res.variants) {
      expect(v).toMatchObject({ top1: expect.any(Number), top5: 1, shuffledTop1: expect.any(Number), params: expect.any(Number), paramsL: expect.any(Number) });
    }
    // the 2D genotype has no temporal op; the stop-early one is epoch 1's snapshot of the step search
    const twoD = json(path.join(dir, 'genotypes', '2d.json'));
    expect(JSON.stringify(twoD.cells.temporal_normal)).toBe(
      JSON.stringify(json(path.join(dir, 'runs', 'search-step-s1', 'genotype.json')).cells.spatial_normal),
    );
    expect(res.variants.find((v: { variant: string }) => v.variant === '2d').counts.temporal_reduce.temporalConvs).toBe(0);
    expect(json(path.join(dir, 'genotypes', 'early-e1.json')).source).toMatchObject({ run: 'search-step-s1', epoch: 1 });
    expect(res.groups.map((g: { group: string }) => g.group)).toEqual(['random', 'searched', 'early', '2d']);

    const md = fs.readFileSync(path.join(dir, 'ablation.md'), 'utf8');
    expect(md).toMatch(/Budget: search 2 epochs at C=2 on 24-px crops; retraining 2 epochs/);
    expect(md).toMatch(/\| step \| 1 \| [\d.]+ \|/);
    expect(md).toMatch(/\*\*Random\*\* \| 1 \|/);
    expect(md).toMatch(/## What the data show[\s\S]*\*\*Schedule[\s\S]*\*\*Searched vs random[\s\S]*\*\*Time/);
    for (const f of ['accuracy.svg', 'param-free-ops.svg', 'param-free-share.svg'])
      expect(XMLValidator.validate(fs.readFileSync(path.join(dir, f), 'utf8'))).toBe(true);
    expect(fs.readFileSync(path.join(dir, 'accuracy.svg'), 'utf8')).toMatch(/data-series="frames shuffled"/);

    // nothing left to do: a third run starts nothing
    const again = await runCli(PVNAS_BIN, args, { cwd: tmp.dir, timeoutMs: 120_000 });
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/ablation: 10 runs, 10 already done/);
    expect(again.stderr).not.toMatch(/starting|continuing/);
    // another budget in the same folder is refused, naming what differs
    const other = await runCli(PVNAS_BIN, [...args, '--random', '2'], { cwd: tmp.dir, timeoutMs: 60_000 });
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/was started with another config \(randomGenotypes differ\)/);

    // the training-free indicators of its four retrained genotypes, against their 30-view top-1
    const ind = await runCli(PVNAS_BIN, ['indicators', '--ablation', dir, '--seeds', '1'], { cwd: tmp.dir, timeoutMs: 120_000 });
    expect(ind.code).toBe(0);
    const report = json(path.join(dir, 'indicators.json'));
    expect(report.rows.map((r: { variant: string }) => r.variant)).toEqual(variantIds);
    for (const r of report.rows) {
      expect(r.top1).toBe(res.variants.find((v: { variant: string }) => v.variant === r.variant).top1);
      expect(r.ntkCondition === null || r.ntkCondition >= 1).toBe(true);
      expect(r.linearRegions).toBeGreaterThan(0);
    }
    for (const rho of Object.values(report.spearman)) expect(rho === null || (typeof rho === 'number' && Math.abs(rho) <= 1)).toBe(true);
    expect(fs.readFileSync(path.join(dir, 'indicators.md'), 'utf8')).toMatch(/Spearman's rho with top-1: NTK condition \(negated\) /);
  }, 900_000);

  it('--strategies: one search per strategy under the same minutes, retrained and evaluated; the strategies table', async () => {
    const args = ['ablation', '--config', 'ablation.yaml', '--name', 'strategies', '--strategies', 'sampling,training-free', '--strategy-minutes', '0.05'];
    const r = await runCli(PVNAS_BIN, [...args, '--random', '0', '--set', 'stopEarly=[]'], { cwd: tmp.dir, timeoutMs: 400_000 });
    expect([r.code, r.code === 0 ? '' : r.stderr.slice(-3000)]).toEqual([0, '']);
    const dir = path.join(tmp.dir, 'runs', 'strategies');
    const res = json(path.join(dir, 'ablation.json'));
    expect(res.variants.map((v: { variant: string }) => v.variant)).toEqual(['searched-s1', '2d', 'strategy-sampling', 'strategy-training-free']);
    expect(res.strategies.map((x: { strategy: string }) => x.strategy)).toEqual(['sampling', 'training-free']);
    for (const x of res.strategies) {
      expect(x).toMatchObject({ top1: expect.any(Number), gflopsL: expect.any(Number), searchSeconds: expect.any(Number), peakRssMiB: expect.any(Number) });
      expect(x.searchSeconds).toBeGreaterThan(0);
    }
    expect(json(path.join(dir, 'runs', 'search-strategy-training-free', 'config.json'))).toMatchObject({ strategy: 'training-free', timeBudgetMin: 0.05 });
    expect(fs.readFileSync(path.join(dir, 'ablation.md'), 'utf8')).toMatch(
      /## 6\. Search strategies \(0\.05 min of search each\)[\s\S]*\| sampling \| [\d.]+ \| [\d.]+ \| [\d.]+ \| \d+ \|/,
    );
  }, 600_000);
});

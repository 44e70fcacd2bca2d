/**
 * The trainer end to end, as a user runs it: real processes of `pvnas search | retrain | evaluate` on a tiny
 * generated dataset (2 classes, 4 + 1 videos each, 64x48, one train video corrupt), real ffmpeg decode,
 * real worker threads, real gradients, a real SIGKILL. Settings are shrunk (2 channels, 24x24 crops,
 * 4 frames) so every run takes seconds.
 */
import fs from 'node:fs';
import path from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import { stringify } from 'yaml';
import { killTree, PVNAS_BIN, runCli, startCli, waitFor } from './support/cli';
import { makeTempDir, tinyKinetics } from './support/datasets';

const RUN_FILES = ['config.json', 'run.json', 'metrics.jsonl', 'report.md'];
const json = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));
const lines = (file: string) =>
  fs
    .readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

describe('pvnas search -> retrain -> evaluate on a tiny generated set', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let configFile: string;
  let evalConfig: string;
  let badVideo: string;
  const run = (args: string[], timeoutMs = 120_000) => runCli(PVNAS_BIN, args, { cwd: tmp.dir, timeoutMs });

  beforeAll(async () => {
    tmp = makeTempDir('e2e-trainer');
    const { k, csv } = await tinyKinetics(path.join(tmp.dir, 'tiny'), { train: 4, val: 1 });
    // one train video replaced by garbage: it must be skipped, counted and listed, not fatal
    const firstTrain = fs.readFileSync(csv('train.csv'), 'utf8').trim().split('\n')[1].split(',');
    const dir = path.join(k, 'train', firstTrain[0].replace(/ /g, '_'));
    badVideo = path.join(
      dir,
      fs.readdirSync(dir).find((f) => f.startsWith(firstTrain[1]))!,
    );
    fs.writeFileSync(badVideo, 'not a video\n'.repeat(50));
    evalConfig = path.join(tmp.dir, 'eval.json');
    fs.writeFileSync(
      evalConfig,
      JSON.stringify({
        workers: 1,
        batchSize: 4,
        data: {
          source: 'manifest',
          train: { format: 'kinetics', csv: csv('train.csv'), root: k },
          val: { format: 'kinetics', csv: csv('validate.csv'), root: k, classesFromCsv: csv('train.csv') },
        },
      }),
    );
    configFile = path.join(tmp.dir, 'tiny.yaml');
    fs.writeFileSync(
      configFile,
      stringify({
        epochs: 2,
        batchSize: 2,
        channels: 2,
        workers: 1,
        checkpointEvery: 1,
        logEvery: 1,
        clips: { frames: 4, window: 16, jitter: [24, 28], crop: 24, flipP: 0 },
        data: {
          source: 'manifest',
          train: { format: 'kinetics', csv: csv('train.csv'), root: k },
          val: { format: 'kinetics', csv: csv('validate.csv'), root: k, classesFromCsv: csv('train.csv') },
        },
      }),
    );
  }, 120_000);
  afterAll(() => tmp.remove());

  /** Starts `pvnas ...args`, SIGKILLs it once `ready()` holds (checked every 5 ms); resolves with how it ended. */
  async function killWhen(args: string[], what: string, ready: () => boolean): Promise<{ signal: NodeJS.Signals | null }> {
    const child = startCli(PVNAS_BIN, args, { cwd: tmp.dir, timeoutMs: 120_000 });
    await waitFor(what, () => (ready() ? true : undefined), 100_000, 5);
    killTree(child.child, 'SIGKILL');
    return child.done;
  }
  const hasCheckpoint = (dir: string, step: number) => fs.existsSync(path.join(dir, 'checkpoints', `step-${String(step).padStart(6, '0')}`, 'checkpoint.json'));
  const linesIn = (file: string) => (fs.existsSync(file) ? (fs.readFileSync(file, 'utf8').match(/\n/g)?.length ?? 0) : 0);

  it('search writes the whole run folder, skips the bad clip and ends with the genotype; retrain and 30-view evaluate follow', async () => {
    const s = await run(['search', '--config', configFile, '--name', 'whole']);
    expect(s.stderr).toMatch(/genotype: .*whole\/genotype\.json/);
    // the clips come from the videos (no cache): the log says which decoder, and why when it is the slow one
    expect(s.stderr).toMatch(
      /video decoding: (in process \(libavformat \d+\.\d+\.\d+, libavcodec .*\)|one ffmpeg process per clip \(~1\.8x the time of the in-process decoder: .+\))/,
    );
    expect(s.code).toBe(0);
    const out = JSON.parse(s.stdout);
    const dir = path.join(tmp.dir, 'runs', 'whole');
    expect(out).toMatchObject({ status: 'done', run: dir, genotype: path.join(dir, 'genotype.json') });
    for (const f of [
      ...RUN_FILES,
      'genotype.json',
      'alphas/epoch-000.json',
      'alphas/epoch-001.json',
      'alphas/epoch-002.json',
      'checkpoints/latest.json',
      'bad-clips.json',
    ])
      expect(fs.existsSync(path.join(dir, f))).toBe(true);
    const meta = json(path.join(dir, 'run.json'));
    expect(meta).toMatchObject({ command: 'search', status: 'done', seed: 0, backend: { name: expect.any(String) } });
    expect(meta.git === null || /^[0-9a-f]{40}$/.test(meta.git.commit)).toBe(true);
    const records = lines(path.join(dir, 'metrics.jsonl'));
    const steps = records.filter((r) => r.kind === 'step');
    const epochs = records.filter((r) => r.kind === 'epoch');
    expect(steps).toHaveLength(6); // 7 good clips, batches of 2, last one dropped: 3 per epoch
    expect(steps[0].alphas.temporal_normal).toHaveLength(14);
    expect(steps[0].alphas.temporal_normal[0].reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 5);
    expect(epochs.map((e) => e.skipped)).toEqual([1, 0]);
    // the supernet's single-view validation accuracy every epoch (2 validation videos), and order-free after the last
    for (const e of epochs) expect(e).toMatchObject({ valAcc: expect.any(Number), valClips: 2 });
    expect(epochs[1].valAccShuffled).toEqual(expect.any(Number));
    expect(epochs[0].valAccShuffled).toBeUndefined();
    expect(json(path.join(dir, 'bad-clips.json'))[0].item).toBe(badVideo);
    // the alphas moved between the snapshots
    expect(json(path.join(dir, 'alphas/epoch-002.json')).spatial_normal).not.toEqual(json(path.join(dir, 'alphas/epoch-000.json')).spatial_normal);
    const plots = fs.readdirSync(path.join(dir, 'plots'));
    expect(plots).toEqual(
      expect.arrayContaining(['curves.svg', 'alphas-spatial_normal.svg', 'alphas-temporal_reduce.svg', 'cell-spatial_normal.svg', 'cell-temporal_reduce.svg']),
    );
    for (const p of plots) expect(XMLValidator.validate(fs.readFileSync(path.join(dir, 'plots', p), 'utf8'))).toBe(true);
    const report = fs.readFileSync(path.join(dir, 'report.md'), 'utf8');
    expect(report).toMatch(/## Genotype/);
    // 2 validation clips cannot beat chance by three standard errors: the search says its genotype is noise
    expect(report).toMatch(
      /## Verdict\n\n\*\*This genotype carries no information\.\*\* The supernet ended at chance: validation accuracy \d+\.\d% on 2 clips/,
    );
    expect(s.stderr).toMatch(/WARNING: THIS GENOTYPE CARRIES NO INFORMATION/);
    expect(report).toMatch(/waiting for data: \*\*\d+\.\d%\*\*/);
    expect(report).toMatch(/Bad clips skipped: 1/);

    const r = await run([
      'retrain',
      '--config',
      configFile,
      '--name',
      'rt',
      '--genotype',
      path.join(dir, 'genotype.json'),
      '--repeats',
      '1',
      '--set',
      'optim.lr.warmupEpochs=1',
      '--set',
      'validateEvery=1',
    ]);
    expect(r.stderr).not.toMatch(/pvnas: /);
    expect(r.code).toBe(0);
    const rdir = path.join(tmp.dir, 'runs', 'rt');
    for (const f of [...RUN_FILES, 'genotype.json', 'model/model.json', 'model/weights.bin', 'plots/curves.svg'])
      expect(fs.existsSync(path.join(rdir, f))).toBe(true);
    expect(json(path.join(rdir, 'genotype.json')).cells).toEqual(json(path.join(dir, 'genotype.json')).cells);
    const rEpochs = lines(path.join(rdir, 'metrics.jsonl')).filter((x) => x.kind === 'epoch');
    expect(rEpochs).toHaveLength(2);
    for (const e of rEpochs) expect(e.valAcc).toBeGreaterThanOrEqual(0);

    const e = await run(['evaluate', '--config', evalConfig, '--model', 'rt', '--name', 'ev', '--shuffle-frames']);
    expect(e.stderr).not.toMatch(/pvnas: /);
    expect(e.code).toBe(0);
    const res = JSON.parse(e.stdout);
    expect(res.ordered.videos).toBe(2);
    expect(res.shuffledFrames.videos).toBe(2);
    const edir = path.join(tmp.dir, 'runs', 'ev');
    const ev = json(path.join(edir, 'evaluation-ordered.json'));
    expect(ev.views).toBe(30);
    expect(ev.multiView.confusion.flat().reduce((a: number, b: number) => a + b, 0)).toBe(2);
    expect(ev.singleViewIndex).toBe(16);
    expect(ev.incomplete).toEqual([]);
    const ereport = fs.readFileSync(path.join(edir, 'report.md'), 'utf8');
    expect(ereport).toMatch(/## Evaluation\n/);
    expect(ereport).toMatch(/## Evaluation with the frames of every clip shuffled/);
    expect(ereport).toMatch(/moving left/); // per-class and confusion tables name the classes
  }, 300_000);

  it('a search killed with SIGKILL and resumed ends with the same genotype and alphas as an uninterrupted one', async () => {
    const whole = path.join(tmp.dir, 'runs', 'whole');
    if (!fs.existsSync(path.join(whole, 'genotype.json'))) expect((await run(['search', '--config', configFile, '--name', 'whole'])).code).toBe(0);
    const dir = path.join(tmp.dir, 'runs', 'killed');
    // kill it mid-epoch 0, after its second checkpoint
    const killed = await killWhen(['search', '--config', configFile, '--name', 'killed'], 'the second checkpoint', () => hasCheckpoint(dir, 2));
    expect(killed.signal).toBe('SIGKILL');
    expect(fs.existsSync(path.join(dir, 'genotype.json'))).toBe(false);
    expect(json(path.join(dir, 'run.json')).status).toBe('running');

    const r = await run(['search', '--resume', 'killed']);
    expect(r.stderr).toMatch(/resuming .*killed from step-0000\d\d/);
    expect(r.code).toBe(0);
    expect(json(path.join(dir, 'genotype.json')).cells).toEqual(json(path.join(whole, 'genotype.json')).cells);
    for (const e of ['001', '002']) {
      const [a, b] = [json(path.join(dir, `alphas/epoch-${e}.json`)), json(path.join(whole, `alphas/epoch-${e}.json`))];
      for (const t of ['spatial_normal', 'spatial_reduce', 'temporal_normal', 'temporal_reduce']) expect(a[t]).toEqual(b[t]);
    }
    const meta = json(path.join(dir, 'run.json'));
    expect(meta.status).toBe('done');
    expect(meta.resumed).toHaveLength(1);
    // steps re-run after the checkpoint are logged again; readers keep the last of each
    const steps = new Set(
      lines(path.join(dir, 'metrics.jsonl'))
        .filter((x) => x.kind === 'step')
        .map((x) => x.step),
    );
    expect([...steps].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5]);
  }, 300_000);

  it("--strategy sampling: one drawn path a step; killed and resumed, it ends with the uninterrupted run's genotype and alphas", async () => {
    const sampling = ['search', '--config', configFile, '--strategy', 'sampling', '--max-gflops', '40'];
    const whole = path.join(tmp.dir, 'runs', 'sampling-whole');
    const w = await run([...sampling, '--name', 'sampling-whole']);
    expect(w.code).toBe(0);
    expect(w.stderr).toContain('search (sampling): ');
    expect(json(path.join(whole, 'config.json'))).toMatchObject({ strategy: 'sampling', sampling: { tauMax: 10, tauMin: 0.1 } });
    expect(fs.readFileSync(path.join(whole, 'report.md'), 'utf8')).toContain('| strategy | `"sampling"` |');
    // a loose budget: the cost term never acts, the expected GFLOPs are logged and the genotype keeps it
    expect(
      lines(path.join(whole, 'metrics.jsonl'))
        .filter((r) => r.kind === 'epoch')
        .every((e) => e.expectedGflops < 40),
    ).toBe(true);
    expect(fs.readFileSync(path.join(whole, 'report.md'), 'utf8')).toMatch(/## Budget\n\nKept: /);
    const dir = path.join(tmp.dir, 'runs', 'sampling-killed');
    expect((await killWhen([...sampling, '--name', 'sampling-killed'], 'the second checkpoint', () => hasCheckpoint(dir, 2))).signal).toBe('SIGKILL');
    const r = await run(['search', '--resume', 'sampling-killed']);
    expect(r.code).toBe(0);
    expect(json(path.join(dir, 'genotype.json')).cells).toEqual(json(path.join(whole, 'genotype.json')).cells);
    const [a, b] = [json(path.join(dir, 'alphas/epoch-002.json')), json(path.join(whole, 'alphas/epoch-002.json'))];
    for (const t of ['spatial_normal', 'spatial_reduce', 'temporal_normal', 'temporal_reduce']) expect(a[t]).toEqual(b[t]);
    // the paths differ from darts': the alphas moved differently from the darts run's
    if (fs.existsSync(path.join(tmp.dir, 'runs', 'whole', 'alphas/epoch-002.json')))
      expect(a.spatial_normal).not.toEqual(json(path.join(tmp.dir, 'runs', 'whole', 'alphas/epoch-002.json')).spatial_normal);
  }, 300_000);

  it('--strategy training-free: candidates scored at initialisation, one line each; killed and resumed, the same candidates and genotype', async () => {
    const free = ['search', '--config', configFile, '--strategy', 'training-free', '--set', 'trainingFree.candidates=5', '--set', 'trainingFree.batch=2'];
    const whole = path.join(tmp.dir, 'runs', 'free-whole');
    const w = await run([...free, '--set', 'trainingFree.regionSamples=256', '--name', 'free-whole']);
    expect(w.code).toBe(0);
    const scored = lines(path.join(whole, 'candidates.jsonl'));
    expect(scored.map((c) => c.index)).toEqual([0, 1, 2, 3, 4]);
    for (const c of scored) {
      expect(c.scores.ntkCondition === null || c.scores.ntkCondition >= 1).toBe(true);
      expect(c.scores.linearRegions).toBeGreaterThanOrEqual(1);
      expect(c.scores.linearRegions).toBeLessThanOrEqual(256);
    }
    const genotype = json(path.join(whole, 'genotype.json'));
    expect(genotype.source).toMatchObject({ from: 'training-free', run: 'free-whole' });
    expect(scored.map((c) => c.genotype.cells)).toContainEqual(genotype.cells);
    expect(fs.readFileSync(path.join(whole, 'report.md'), 'utf8')).toContain('## Candidates (training-free)');

    const dir = path.join(tmp.dir, 'runs', 'free-killed');
    const file = path.join(dir, 'candidates.jsonl');
    const killed = await killWhen(
      [...free, '--set', 'trainingFree.regionSamples=256', '--name', 'free-killed'],
      'two scored candidates',
      () => linesIn(file) >= 2,
    );
    expect(killed.signal).toBe('SIGKILL');
    const r = await run(['search', '--resume', 'free-killed']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/continuing after \d scored candidates/);
    expect(lines(file).map(({ seconds: _, ...c }) => c)).toEqual(scored.map(({ seconds: _, ...c }) => c));
    expect(json(path.join(dir, 'genotype.json')).cells).toEqual(genotype.cells);
  }, 300_000);

  it('--strategy evolution and random: candidates trained briefly and scored on held-out videos; evolution mutates the fittest, resumes where it stopped', async () => {
    // under a GFLOPs budget: every scored candidate keeps it (random cells make PV-NAS-L cost 18-32 GFLOPs)
    const evo = [
      ...['search', '--config', configFile, '--strategy', 'evolution', '--max-gflops', '24'],
      ...['--set', 'evolution.candidates=4', '--set', 'evolution.population=2', '--set', 'evolution.sample=2'],
    ];
    const w = await run([...evo, '--name', 'evo-whole']);
    expect(w.code).toBe(0);
    expect(w.stderr).toMatch(/evolution: candidates train on \d+ videos and are scored on \d+ held out/);
    const whole = lines(path.join(tmp.dir, 'runs', 'evo-whole', 'candidates.jsonl'));
    const scored = whole.filter((c) => !c.rejected);
    expect(scored).toHaveLength(4);
    expect(whole.filter((c) => c.rejected).every((c) => c.gflops > 24 && c.scores === undefined)).toBe(true);
    expect(scored.slice(0, 2).every((c) => c.parent === undefined)).toBe(true); // the first population is random
    expect(scored.slice(2).every((c) => scored.some((p) => p.index === c.parent && p.index < c.index))).toBe(true);
    for (const c of scored) expect(c.scores.heldOutAcc).toBeGreaterThanOrEqual(0);
    for (const c of scored) expect(c.gflops).toBeLessThanOrEqual(24);
    expect(fs.readFileSync(path.join(tmp.dir, 'runs', 'evo-whole', 'report.md'), 'utf8')).toMatch(/## Budget\n\nKept: /);
    const best = [...scored].sort((a, b) => b.scores.heldOutAcc - a.scores.heldOutAcc || a.scores.trainLoss - b.scores.trainLoss || a.index - b.index)[0];
    expect(json(path.join(tmp.dir, 'runs', 'evo-whole', 'genotype.json'))).toMatchObject({
      cells: best.genotype.cells,
      source: { from: 'evolution', seed: best.index },
    });

    const dir = path.join(tmp.dir, 'runs', 'evo-killed');
    const file = path.join(dir, 'candidates.jsonl');
    await killWhen([...evo, '--name', 'evo-killed'], 'a scored candidate', () => linesIn(file) >= 1);
    expect((await run(['search', '--resume', 'evo-killed'])).code).toBe(0);
    expect(lines(file).map(({ seconds: _, ...c }) => c)).toEqual(whole.map(({ seconds: _, ...c }) => c));

    const random = await run(['search', '--config', configFile, '--strategy', 'random', '--set', 'evolution.candidates=2', '--name', 'random']);
    expect(random.code).toBe(0);
    const drawn = lines(path.join(tmp.dir, 'runs', 'random', 'candidates.jsonl'));
    expect(drawn.map((c) => c.parent)).toEqual([undefined, undefined]);
    expect(fs.readFileSync(path.join(tmp.dir, 'runs', 'random', 'report.md'), 'utf8')).toContain('## Candidates (random)');
  }, 300_000);

  it('--max-gflops: training-free rejects candidates over the budget; darts logs the expected GFLOPs and its report says whether the genotype keeps it', async () => {
    const free = await run([
      ...['search', '--config', configFile, '--strategy', 'training-free', '--max-gflops', '21.5', '--name', 'free-budget'],
      ...['--set', 'trainingFree.candidates=3', '--set', 'trainingFree.batch=2', '--set', 'trainingFree.regionSamples=64'],
    ]);
    expect(free.code).toBe(0);
    const drawn = lines(path.join(tmp.dir, 'runs', 'free-budget', 'candidates.jsonl'));
    expect(drawn.filter((c) => !c.rejected)).toHaveLength(3);
    for (const c of drawn) expect({ index: c.index, over: c.gflops > 21.5 }).toEqual({ index: c.index, over: c.rejected === true });
    expect(drawn.some((c) => c.rejected)).toBe(true); // random cells make PV-NAS-L cost 18-32 GFLOPs at 8x224x224
    expect(fs.readFileSync(path.join(tmp.dir, 'runs', 'free-budget', 'report.md'), 'utf8')).toMatch(
      /## Budget\n\nKept: the derived network costs \d+\.\d\d GFLOPs/,
    );

    const darts = await run(['search', '--config', configFile, '--max-gflops', '10', '--set', 'budget.weight=5', '--name', 'darts-budget']);
    expect(darts.code).toBe(0);
    const epochs = lines(path.join(tmp.dir, 'runs', 'darts-budget', 'metrics.jsonl')).filter((r) => r.kind === 'epoch');
    expect(epochs.map((e) => typeof e.expectedGflops)).toEqual(['number', 'number']);
    expect(epochs[1].expectedGflops).toBeLessThan(epochs[0].expectedGflops);
    expect(fs.readFileSync(path.join(tmp.dir, 'runs', 'darts-budget', 'report.md'), 'utf8')).toMatch(
      /## Budget\n\n(Kept|\*\*Not kept\*\*): the derived network costs/,
    );
  }, 300_000);

  it('--max-ms: candidates are timed whole on this backend, darts searches with a latency table; the report times the genotype', async () => {
    const small = ['--set', 'budget.target.size=32', '--set', 'budget.target.frames=4'];
    const free = await run([
      ...['search', '--config', configFile, '--strategy', 'training-free', '--max-ms', '100000', '--name', 'free-ms', ...small],
      ...['--set', 'trainingFree.candidates=2', '--set', 'trainingFree.batch=2', '--set', 'trainingFree.regionSamples=64'],
    ]);
    expect(free.code).toBe(0);
    const drawn = lines(path.join(tmp.dir, 'runs', 'free-ms', 'candidates.jsonl'));
    expect(drawn.map((c) => [c.rejected, c.ms > 0])).toEqual([
      [undefined, true],
      [undefined, true],
    ]);
    const darts = await run(['search', '--config', configFile, '--max-ms', '0.001', '--name', 'darts-ms', ...small]);
    expect(darts.code).toBe(0);
    expect(darts.stderr).toMatch(/--max-ms: latency table in [\d.]+ s/);
    const epochs = lines(path.join(tmp.dir, 'runs', 'darts-ms', 'metrics.jsonl')).filter((r) => r.kind === 'epoch');
    expect(epochs.every((e) => e.expectedMs > 0 && e.expectedGflops === undefined)).toBe(true);
    expect(fs.readFileSync(path.join(tmp.dir, 'runs', 'darts-ms', 'report.md'), 'utf8')).toMatch(
      /\*\*Not kept\*\*: the derived network takes [\d.]+ ms a clip on this backend/,
    );
    expect(darts.stderr).toContain('WARNING: the genotype');
  }, 300_000);

  it('Ctrl-C writes a checkpoint and exits 130; --resume of a finished run is refused', async () => {
    const dir = path.join(tmp.dir, 'runs', 'interrupted');
    const child = startCli(PVNAS_BIN, ['search', '--config', configFile, '--name', 'interrupted', '--set', 'checkpointEvery=0'], {
      cwd: tmp.dir,
      timeoutMs: 120_000,
    });
    await waitFor('the first step', () => (fs.existsSync(path.join(dir, 'metrics.jsonl')) ? true : undefined), 100_000, 20);
    killTree(child.child, 'SIGINT');
    const r = await child.done;
    expect(r.stderr).toMatch(/stopping: finishing this step and writing a checkpoint/);
    expect(r.stderr).toMatch(/continue with: npx pvnas search --resume interrupted/);
    expect(r.code).toBe(130);
    expect(json(path.join(dir, 'run.json')).status).toBe('stopped');
    expect(fs.existsSync(path.join(dir, 'checkpoints', 'latest.json'))).toBe(true);
    const again = await run(['search', '--resume', 'whole']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/whole has finished; nothing to resume/);
  }, 300_000);

  it('SIGTERM (what a scheduler sends) is acted on at the next step boundary: a checkpoint there, exit 143', async () => {
    const dir = path.join(tmp.dir, 'runs', 'terminated');
    const child = startCli(PVNAS_BIN, ['search', '--config', configFile, '--name', 'terminated', '--epochs', '30', '--set', 'checkpointEvery=0'], {
      cwd: tmp.dir,
      timeoutMs: 120_000,
    });
    const stepsLogged = () =>
      fs.existsSync(path.join(dir, 'metrics.jsonl')) ? lines(path.join(dir, 'metrics.jsonl')).filter((x) => x.kind === 'step').length : 0;
    const seen = await waitFor('three steps', () => (stepsLogged() >= 3 ? stepsLogged() : undefined), 100_000, 5);
    child.child.kill('SIGTERM');
    const r = await child.done;
    expect(r.code).toBe(143);
    expect(r.stderr).toMatch(/stopping \(SIGTERM\): finishing this step and writing a checkpoint/);
    const latest = json(path.join(dir, 'checkpoints', 'latest.json')).label as string;
    // the step running when the signal came, and at most one more logged between our look and the signal
    expect(Number(latest.replace('step-', ''))).toBeLessThanOrEqual(seen + 2);
    expect(json(path.join(dir, 'run.json')).status).toBe('stopped');
  }, 300_000);

  it('--resume passes over a damaged newest checkpoint to the previous one, loudly, and still ends with the uninterrupted result', async () => {
    const whole = path.join(tmp.dir, 'runs', 'whole');
    if (!fs.existsSync(path.join(whole, 'genotype.json'))) expect((await run(['search', '--config', configFile, '--name', 'whole'])).code).toBe(0);
    const dir = path.join(tmp.dir, 'runs', 'damaged');
    await killWhen(['search', '--config', configFile, '--name', 'damaged'], 'the third checkpoint', () => hasCheckpoint(dir, 3));
    const newest = json(path.join(dir, 'checkpoints', 'latest.json')).label as string;
    fs.truncateSync(path.join(dir, 'checkpoints', newest, 'tensors.bin'), 1000); // a disk that filled up
    const r = await run(['search', '--resume', 'damaged']);
    expect(r.stderr).toMatch(new RegExp(`WARNING: checkpoint .*${newest}: .*tensors\\.bin has 1000 bytes`));
    expect(r.stderr).toMatch(new RegExp(`WARNING: resuming from the older checkpoint step-\\d+: the newer ${newest} could not be read`));
    expect(r.code).toBe(0);
    expect(json(path.join(dir, 'genotype.json')).cells).toEqual(json(path.join(whole, 'genotype.json')).cells);
  }, 300_000);

  it('a diverging run stops with a clear error and keeps its last good checkpoint', async () => {
    const r = await run(['search', '--config', configFile, '--name', 'nan', '--set', 'optim.weightLr.initial=1e30', '--set', 'optim.weightLr.kind=constant']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/(the loss became (NaN|Infinity|-Infinity) at step \d+|holds NaN or Inf: the checkpoint was not written)/);
    const dir = path.join(tmp.dir, 'runs', 'nan');
    expect(json(path.join(dir, 'run.json')).status).toBe('failed');
    const latest = path.join(dir, 'checkpoints', json(path.join(dir, 'checkpoints', 'latest.json')).label);
    const specs: Array<{ dtype: string }> = json(path.join(latest, 'checkpoint.json')).tensors;
    expect(specs.every((t) => t.dtype === 'float32')).toBe(true);
    const bin = fs.readFileSync(path.join(latest, 'tensors.bin'));
    const values = new Float32Array(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength));
    expect(values.length).toBeGreaterThan(1000);
    expect(values.every(Number.isFinite)).toBe(true);
  }, 300_000);

  it('bad configs are refused before anything runs, naming the key and where it came from', async () => {
    const cases: Array<[string[], RegExp]> = [
      [
        ['search', '--config', configFile, '--set', 'optim.weightLR=1'],
        /bad search config \(from file .*tiny\.yaml and command-line flags\): optim\.weightLR: unknown key/,
      ],
      [['search', '--config', configFile, '--jitter', '30,20'], /clips\.jitter: jitter is \[min, max\] with min <= max/],
      [['search', '--config', configFile, '--crop', '40'], /clips\.crop: crop must be <= jitter\[0\]/],
      [['search', '--config', configFile, '--set', 'optim.weightLr.kind=linear'], /optim\.weightLr\.kind: /],
      [['search', '--epochs', '0'], /--epochs must be an integer >= 1/],
      [['retrain', '--dataset', 'hmdb51'], /argument 'hmdb51' is invalid/],
      [['search', '--config', path.join(tmp.dir, 'missing.yaml')], /config file .*missing\.yaml does not exist/],
    ];
    // a training manifest with one class: refused before a run folder exists (was: a tfjs oneHot error mid-run)
    const k = path.join(tmp.dir, 'tiny', 'kinetics');
    const [header, ...rows] = fs
      .readFileSync(path.join(k, 'annotations', 'train.csv'), 'utf8')
      .trim()
      .split('\n');
    const oneClass = path.join(tmp.dir, 'one-class.csv');
    fs.writeFileSync(oneClass, [header, ...rows.filter((r) => r.split(',')[0] === rows[0].split(',')[0])].join('\n') + '\n');
    cases.push([['search', '--manifest', oneClass, '--root', k], /has videos of one class only \(".*", \d+ videos\): a classifier needs at least 2 classes/]);
    const broken = path.join(tmp.dir, 'broken.yaml');
    fs.writeFileSync(broken, 'epochs: 2\nclips: [unclosed\n');
    cases.push([['search', '--config', broken], /config file .*broken\.yaml:\d+ is not valid YAML/]);
    for (const [args, message] of cases) {
      const r = await run(args, 60_000);
      expect({ args, code: r.code, stderr: r.stderr }).toEqual({ args, code: 1, stderr: expect.stringMatching(message) });
    }
    expect(fs.readdirSync(path.join(tmp.dir, 'runs')).sort()).toEqual(expect.not.arrayContaining([expect.stringMatching(/^search-/)]));
  }, 300_000);
});

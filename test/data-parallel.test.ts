/**
 * Data parallelism end to end, as a user runs it: `pvnas search|retrain|evaluate --nproc-per-node 2` (our launcher:
 * 2 real worker processes, Gloo over loopback, a file rendezvous) and 2 processes started with torchrun's environment
 * (RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT: a TCP rendezvous), on a tiny generated set. Real SIGKILLs of the whole
 * job and of one rank, a real Ctrl-C (SIGINT) to the launcher. Settings are shrunk (2 channels, 24x24 crops, 4 frames).
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { stringify } from 'yaml';
import { loadTorchAddon } from '@pvnas/nas';
import { PVNAS_BIN, runCli, startCli, waitFor, type CliResult } from './support/cli';
import { makeTempDir, tinyKinetics } from './support/datasets';

const json = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));
const lines = (file: string) =>
  fs
    .readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
const CELLS = ['spatial_normal', 'spatial_reduce', 'temporal_normal', 'temporal_reduce'];
const gloo = (() => {
  const load = loadTorchAddon();
  return load.ok && load.addon.distInfo().available;
})();

/** The worker pids the launcher printed ("rank N: pid P"), by rank. */
function workerPids(stderr: string): number[] {
  return [...stderr.matchAll(/rank (\d+): pid (\d+)/g)].sort((a, b) => Number(a[1]) - Number(b[1])).map((m) => Number(m[2]));
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

(gloo ? describe : describe.skip)('data parallel: pvnas search | retrain | evaluate on 2 processes', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let configFile: string;
  let evalConfig: string;
  const run = (args: string[], timeoutMs = 180_000, env?: Record<string, string>) => runCli(PVNAS_BIN, args, { cwd: tmp.dir, timeoutMs, env });
  const runDir = (name: string) => path.join(tmp.dir, 'runs', name);

  beforeAll(async () => {
    tmp = makeTempDir('e2e-data-parallel');
    const { k, csv } = await tinyKinetics(path.join(tmp.dir, 'tiny'), { train: 4, val: 2 });
    const data = {
      source: 'manifest',
      train: { format: 'kinetics', csv: csv('train.csv'), root: k },
      val: { format: 'kinetics', csv: csv('validate.csv'), root: k, classesFromCsv: csv('train.csv') },
    };
    configFile = path.join(tmp.dir, 'tiny.yaml');
    fs.writeFileSync(
      configFile,
      stringify({
        epochs: 2,
        batchSize: 2, // the group's batch: 1 clip per process
        channels: 2,
        workers: 1,
        checkpointEvery: 1,
        logEvery: 1,
        clips: { frames: 4, window: 16, jitter: [24, 28], crop: 24, flipP: 0 },
        data,
      }),
    );
    evalConfig = path.join(tmp.dir, 'eval.json');
    fs.writeFileSync(evalConfig, JSON.stringify({ workers: 1, batchSize: 4, clipsPerVideo: 2, data }));
  }, 120_000);
  afterAll(() => tmp.remove());

  let whole: CliResult | undefined;
  const searchWhole = async () => (whole ??= await run(['search', '--config', configFile, '--name', 'whole', '--nproc-per-node', '2']));

  it('search --nproc-per-node 2: rank 0 writes the one run folder, the group trains on every clip once per epoch', async () => {
    const s = await searchWhole();
    expect(s.stderr).toMatch(/data parallel: 2 processes here \(ranks 0-1 of 2\)/);
    expect(workerPids(s.stderr)).toHaveLength(2);
    expect(s.stderr).toMatch(/data parallel: rank 0 of 2 \(1 node, gloo\), 1 clip per process and step/);
    expect(s.code).toBe(0);
    // one JSON result on stdout (rank 0's), one run folder
    expect(s.stdout.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(s.stdout)).toMatchObject({ status: 'done', run: runDir('whole') });
    expect(fs.readdirSync(path.join(tmp.dir, 'runs'))).toEqual(['whole']);
    const meta = json(path.join(runDir('whole'), 'run.json'));
    expect(meta).toMatchObject({ status: 'done', distributed: { worldSize: 2, backend: 'gloo', nodes: 1 } });
    for (const f of ['genotype.json', 'alphas/epoch-002.json', 'checkpoints/latest.json', 'report.md'])
      expect(fs.existsSync(path.join(runDir('whole'), f))).toBe(true);
    // 8 clips, 2 ranks, 1 clip each per step: 4 steps an epoch, each the group's 2 clips (accuracy in halves)
    const records = lines(path.join(runDir('whole'), 'metrics.jsonl'));
    const steps = records.filter((r) => r.kind === 'step');
    expect(steps.map((r) => r.step)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    for (const r of steps) expect([0, 0.5, 1]).toContain(r.acc);
    // validation: each rank scores half of the 4 videos, the counts are summed
    for (const e of records.filter((r) => r.kind === 'epoch')) expect(e).toMatchObject({ valClips: 4 });
  }, 300_000);

  it('SIGKILL of the whole job, then --resume with 2 processes: the uninterrupted result; another world size is refused', async () => {
    await searchWhole();
    const dir = runDir('killed');
    const job = startCli(PVNAS_BIN, ['search', '--config', configFile, '--name', 'killed', '--nproc-per-node', '2'], { cwd: tmp.dir, timeoutMs: 180_000 });
    await waitFor(
      'the third checkpoint',
      () => (fs.existsSync(path.join(dir, 'checkpoints', 'step-000003', 'checkpoint.json')) ? true : undefined),
      150_000,
      20,
    );
    const pids = workerPids(job.stderrSoFar());
    expect(pids).toHaveLength(2);
    for (const pid of [job.child.pid!, ...pids]) process.kill(pid, 'SIGKILL');
    expect((await job.done).signal).toBe('SIGKILL');
    await waitFor('the workers to be gone', () => (pids.some(alive) ? undefined : true), 10_000);
    expect(json(path.join(dir, 'run.json')).status).toBe('running');

    const alone = await run(['search', '--resume', 'killed']);
    expect(alone.code).toBe(1);
    expect(alone.stderr).toMatch(/run .*killed was trained by 2 processes and this resume has 1: resume it with the same world size/);
    expect(json(path.join(dir, 'run.json')).resumed).toHaveLength(0);

    const r = await run(['search', '--resume', 'killed', '--nproc-per-node', '2']);
    expect(r.stderr).toMatch(/resuming .*killed from step-0000\d\d/);
    expect(r.code).toBe(0);
    expect(json(path.join(dir, 'genotype.json')).cells).toEqual(json(path.join(runDir('whole'), 'genotype.json')).cells);
    for (const e of ['001', '002']) {
      const [a, b] = [json(path.join(dir, `alphas/epoch-${e}.json`)), json(path.join(runDir('whole'), `alphas/epoch-${e}.json`))];
      for (const t of CELLS) expect(a[t]).toEqual(b[t]);
    }
    expect(json(path.join(dir, 'run.json'))).toMatchObject({ status: 'done', distributed: { worldSize: 2 } });
  }, 400_000);

  it('a rank killed mid-run takes the job down promptly with an error naming it; Ctrl-C stops the group at a checkpoint', async () => {
    const long = ['search', '--config', configFile, '--epochs', '30'];
    const job = startCli(PVNAS_BIN, [...long, '--name', 'dies', '--nproc-per-node', '2'], { cwd: tmp.dir, timeoutMs: 180_000 });
    await waitFor('a checkpoint', () => (fs.existsSync(path.join(runDir('dies'), 'checkpoints', 'latest.json')) ? true : undefined), 150_000, 20);
    const [rank0, rank1] = workerPids(job.stderrSoFar());
    const t0 = Date.now();
    process.kill(rank1, 'SIGKILL');
    const r = await job.done;
    expect(Date.now() - t0).toBeLessThan(30_000);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`data-parallel job failed: rank 1 \\(pid ${rank1}\\) was killed by SIGKILL`));
    await waitFor('rank 0 to be gone', () => (alive(rank0) ? undefined : true), 15_000);

    // Ctrl-C (SIGINT to the launcher): forwarded once to every worker, the group stops at one step with a checkpoint
    const stopped = startCli(PVNAS_BIN, [...long, '--name', 'ctrl-c', '--nproc-per-node', '2'], { cwd: tmp.dir, timeoutMs: 180_000 });
    await waitFor('a checkpoint', () => (fs.existsSync(path.join(runDir('ctrl-c'), 'checkpoints', 'latest.json')) ? true : undefined), 150_000, 20);
    stopped.child.kill('SIGINT');
    const s = await stopped.done;
    expect(s.code).toBe(130);
    expect(s.stderr).toMatch(/continue with: npx pvnas search --resume ctrl-c/);
    expect(json(path.join(runDir('ctrl-c'), 'run.json')).status).toBe('stopped');
  }, 400_000);

  it("torchrun's environment: 2 processes retrain as ranks of one job; evaluate on 2 processes equals evaluate on 1", async () => {
    const port = await freePort();
    const genotype = path.join(runDir('whole'), 'genotype.json');
    if (!fs.existsSync(genotype)) await searchWhole();
    const args = ['retrain', '--dataset', 'kinetics', '--config', configFile, '--genotype', genotype, '--epochs', '1', '--name', 'rt'];
    const ranks = await Promise.all(
      [0, 1].map((rank) =>
        run(args, 180_000, { RANK: String(rank), WORLD_SIZE: '2', LOCAL_RANK: String(rank), MASTER_ADDR: '127.0.0.1', MASTER_PORT: String(port) }),
      ),
    );
    for (const r of ranks) expect([r.code, r.stderr.match(/pvnas \(rank \d\): .*/)?.[0]]).toEqual([0, undefined]);
    expect(JSON.parse(ranks[0].stdout)).toMatchObject({ status: 'done', model: path.join(runDir('rt'), 'model') });
    expect(ranks[1].stdout).toBe(''); // rank 1 prints and writes nothing
    expect(json(path.join(runDir('rt'), 'run.json')).distributed).toEqual({ worldSize: 2, backend: 'gloo', nodes: 1 });

    const [two, one] = [
      await run(['evaluate', '--dataset', 'kinetics', '--config', evalConfig, '--model', 'rt', '--name', 'ev2', '--nproc-per-node', '2']),
      await run(['evaluate', '--dataset', 'kinetics', '--config', evalConfig, '--model', 'rt', '--name', 'ev1']),
    ];
    expect([two.code, one.code]).toEqual([0, 0]);
    const [a, b] = [json(path.join(runDir('ev2'), 'evaluation-ordered.json')), json(path.join(runDir('ev1'), 'evaluation-ordered.json'))];
    expect(a.multiView.videos).toBe(4);
    expect(a.multiView.predictions).toEqual(b.multiView.predictions);
    expect(a.multiView.top1).toEqual(b.multiView.top1);
    a.singleViewScores.forEach((s: { id: string; probabilities: number[] }, i: number) => {
      expect(s.id).toBe(b.singleViewScores[i].id);
      s.probabilities.forEach((p, c) => expect(p).toBeCloseTo(b.singleViewScores[i].probabilities[c], 6));
    });
    expect(json(path.join(runDir('ev2'), 'run.json')).distributed).toMatchObject({ worldSize: 2 });
  }, 400_000);
});

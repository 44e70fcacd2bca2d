/**
 * Data parallelism over c10d/Gloo with real processes on loopback (replica.fixture.ts is one rank, running the
 * library's trainers): replicas that start from different weights hold bit-identical weights, alphas, BN statistics
 * and optimizer states after synced initialisation and three steps; with BN on running statistics, two processes
 * on halves of a batch end where one process on the whole batch does; a rank that dies makes the others fail
 * promptly instead of hanging.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadTorchAddon } from '../backend/torch/native';

const ROOT = path.resolve(__dirname, '../../../..');
const FIXTURE = path.join(__dirname, 'replica.fixture.ts');
const gloo = (() => {
  const load = loadTorchAddon();
  return load.ok && load.addon.distInfo().available;
})();

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

function rank(
  r: number,
  world: number,
  port: number,
  mode: string,
  out = os.tmpdir(),
): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['-e', `require('#runtime/register'); require(${JSON.stringify(FIXTURE)})`, String(r), String(world), String(port), mode, out],
      {
        cwd: ROOT,
        env: { ...process.env, PVNAS_THREADS: '1' },
      },
    );
    let stdout = '',
      stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: Date.now() - t0 }));
  });
}

interface RankResult {
  rank: number;
  world: number;
  hash: string;
  losses: number[];
  correct: number;
  tensors: number;
}

/** WORLD ranks of the fixture in MODE; their JSON lines and the bytes of their tensors. */
async function job(world: number, mode: string): Promise<{ results: RankResult[]; bins: Float32Array[] }> {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'pvnas-dp-'));
  const port = await freePort();
  const runs = await Promise.all(Array.from({ length: world }, (_, r) => rank(r, world, port, mode, out)));
  for (const r of runs) expect([r.code, r.stderr.slice(-400)]).toEqual([0, '']);
  const results = runs.map((r) => JSON.parse(r.stdout) as RankResult);
  const bins = results.map((r) => new Float32Array(new Uint8Array(fs.readFileSync(path.join(out, `rank-${r.rank}.bin`))).buffer));
  fs.rmSync(out, { recursive: true, force: true });
  return { results, bins };
}

/** Largest |a - b| relative to b's largest magnitude. */
function relDiff(a: Float32Array, b: Float32Array): number {
  let diff = 0,
    scale = 1e-12;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / scale;
}

(gloo ? describe : describe.skip)('data parallel trainers: 2 processes vs 1 on the same global batch', () => {
  for (const mode of ['search', 'retrain']) {
    it(`${mode}: replicas are bit-identical and equal one process on the whole batch (BN on running statistics)`, async () => {
      const [two, one] = await Promise.all([job(2, mode), job(1, mode)]);
      const [r0, r1] = two.results;
      expect(r0.world).toBe(2);
      expect(one.results[0].world).toBe(1);
      expect(r0.hash).toBe(r1.hash);
      expect(r0.tensors).toBeGreaterThan(10);
      expect(two.bins[0].length).toBe(one.bins[0].length);
      // the group's metrics: the same mean loss and correct count as the one process's
      expect(r1.losses).toEqual(r0.losses);
      r0.losses.forEach((l, i) => expect(l).toBeCloseTo(one.results[0].losses[i], 5));
      expect(r0.correct).toBe(one.results[0].correct);
      // every weight, alpha, BN statistic and optimizer state, after 3 steps
      expect(relDiff(two.bins[0], one.bins[0])).toBeLessThan(1e-5);
      // ... and the steps moved them: a comparison of two untrained networks would prove nothing
      expect(r0.losses[2]).not.toBe(r0.losses[0]);
    }, 120_000);
  }

  it('with BN on batch statistics (per process) and dropout, the replicas stay bit-identical', async () => {
    const { results } = await job(2, 'search-bn');
    expect(results[0].hash).toBe(results[1].hash);
  }, 120_000);
});

(gloo ? describe : describe.skip)('c10d failures (2 processes, Gloo, loopback)', () => {
  it('a rank that dies fails the others within the timeout, naming the rank, instead of hanging', async () => {
    const port = await freePort();
    const [a, b] = await Promise.all([rank(0, 2, port, 'die'), rank(1, 2, port, 'die')]);
    expect(b.code).toBe(3);
    expect(a.code).toBe(1);
    expect(a.stderr).toMatch(/allReduceMean on rank 0 of 2 failed/);
    expect(a.ms).toBeLessThan(30_000);
  }, 60_000);
});

/**
 * Data parallelism over c10d/Gloo with real processes on loopback (replica.fixture.ts is one rank): replicas that
 * start from different weights hold bit-identical weights and alphas after synced initialisation and three steps
 * with all-reduced gradients; a rank that dies makes the others fail promptly instead of hanging.
 */
import { spawn } from 'node:child_process';
import * as net from 'node:net';
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

function rank(r: number, world: number, port: number, mode: string): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['-e', `require('#runtime/register'); require(${JSON.stringify(FIXTURE)})`, String(r), String(world), String(port), mode],
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

(gloo ? describe : describe.skip)('data parallel over c10d (2 processes, Gloo, loopback)', () => {
  it('replicas start from rank 0 weights and stay bit-identical through all-reduced steps', async () => {
    const port = await freePort();
    const [a, b] = await Promise.all([rank(0, 2, port, 'train'), rank(1, 2, port, 'train')]);
    expect([a.code, b.code, a.stderr.slice(-300), b.stderr.slice(-300)]).toEqual([0, 0, '', '']);
    const [ra, rb] = [JSON.parse(a.stdout), JSON.parse(b.stdout)];
    expect(ra.mean).toEqual([1.5, 15]);
    expect(rb.mean).toEqual([1.5, 15]);
    expect(ra.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(ra.hash).toBe(rb.hash);
  }, 120_000);

  it('a rank that dies fails the others within the timeout, naming the rank, instead of hanging', async () => {
    const port = await freePort();
    const [a, b] = await Promise.all([rank(0, 2, port, 'die'), rank(1, 2, port, 'die')]);
    expect(b.code).toBe(3);
    expect(a.code).toBe(1);
    expect(a.stderr).toMatch(/allReduceMean on rank 0 of 2 failed/);
    expect(a.ms).toBeLessThan(30_000);
  }, 60_000);
});

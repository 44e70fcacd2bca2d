/**
 * The threads benchmark (docs/decisions.md, "Threads"): the default sample search step (C=8, batch 16, 8x32x32, one pass a step) with 0
 * and with 1 other CPU-bound process on the machine, for four thread set-ups of the `torch` backend:
 *
 *   spin        the old default: OpenMP's default wait policy (idle threads spin first), every kernel on all threads
 *   passive     OMP_WAIT_POLICY=PASSIVE (idle threads sleep), every kernel on all threads
 *   passive+gate   the default now: passive, and kernels under PVNAS_PARALLEL_MIN elements on one thread
 *   1 thread    PVNAS_THREADS=1, the reference a busy machine falls back to
 *
 *   nx run tools:bench-threads [-- --rounds 3 --steps 4 --config 8,16,8,32,8] [--wasm]
 *
 * `--wasm` adds one measurement of the same step on tfjs's wasm backend (what runs without libtorch; activations
 * recomputed, as its 4 GB memory needs), the slow-down the trainer's warning quotes.
 *
 * Each measurement is a fresh process (OpenMP reads its settings when libtorch loads); rounds interleave every
 * (load, set-up) pair so a slow period of the machine hits all of them. Reported: median ms per step over all
 * timed steps, as a ratio to `spin` on the same load and to `spin` on an idle machine (the peer measured in the
 * same run).
 */
import { spawn, spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { Command, Option } from 'commander';

const CHILD = path.join(__dirname, 'threads-child.ts');
const REGISTER = require.resolve('#runtime/register');

interface Setup {
  name: string;
  env: Record<string, string>;
}

const SETUPS: Setup[] = [
  { name: 'spin', env: { PVNAS_OMP_SPIN: '1', PVNAS_PARALLEL_MIN: '0' } },
  { name: 'passive', env: { PVNAS_PARALLEL_MIN: '0' } },
  { name: 'passive+gate', env: {} },
  { name: '1 thread', env: { PVNAS_THREADS: '1' } },
];

/** A CPU-bound process (one core's worth of work until stopped). */
function busyProcess(): { stop: () => Promise<void> } {
  const p = spawn(process.execPath, ['-e', '(function spin(){for(let i=0;i<1e7;i++);setImmediate(spin)})()'], { stdio: 'ignore' });
  return { stop: () => new Promise((resolve) => (p.on('exit', () => resolve()), p.kill('SIGTERM'))) };
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

export async function main(argv: string[]): Promise<number> {
  const cmd = new Command('bench-threads')
    .addOption(new Option('--rounds <n>', 'interleaved rounds').default('3'))
    .addOption(new Option('--steps <n>', 'timed steps per measurement').default('4'))
    .addOption(new Option('--config <C,N,T,S,classes>', 'search step shape').default('8,16,8,32,8'))
    .option('--wasm', 'also time one step on the wasm backend (about a minute and a half)')
    .parse(argv);
  const o = cmd.opts<{ rounds: string; steps: string; config: string; wasm?: boolean }>();
  const rounds = Number(o.rounds);
  const times = new Map<string, number[]>();
  process.stderr.write(`bench-threads: ${os.cpus().length} cores, ${rounds} rounds of ${SETUPS.length} set-ups x 2 loads, config ${o.config}\n`);
  for (let r = 0; r < rounds; r++) {
    for (const load of [0, 1]) {
      for (const setup of r % 2 ? [...SETUPS].reverse() : SETUPS) {
        const busy = load ? busyProcess() : undefined;
        const res = spawnSync(process.execPath, ['-r', REGISTER, CHILD, `${o.config},${o.steps}`], { env: { ...process.env, ...setup.env }, encoding: 'utf8' });
        await busy?.stop();
        if (res.status !== 0) throw new Error(`${setup.name}: the child failed: ${res.stderr.slice(-500)}`);
        const ms = (JSON.parse(res.stdout.trim().split('\n').pop()!) as { msPerStep: number[] }).msPerStep;
        const key = `${load}|${setup.name}`;
        times.set(key, [...(times.get(key) ?? []), ...ms]);
        process.stderr.write(`  round ${r + 1}, ${load} busy, ${setup.name}: ${median(ms).toFixed(0)} ms/step\n`);
      }
    }
  }
  const lines = ['| other busy processes | set-up | step / spin step (same load) | step / idle spin step |', '| ---: | --- | ---: | ---: |'];
  const idleSpin = median(times.get('0|spin')!);
  for (const load of [0, 1]) {
    const spin = median(times.get(`${load}|spin`)!);
    for (const s of SETUPS) {
      const m = median(times.get(`${load}|${s.name}`)!);
      lines.push(`| ${load} | ${s.name} | ${(m / spin).toFixed(2)}x | ${(m / idleSpin).toFixed(2)}x |`);
    }
  }
  if (o.wasm) {
    const res = spawnSync(process.execPath, ['-r', REGISTER, CHILD, `${o.config},1`], {
      env: { ...process.env, PVNAS_BENCH_BACKEND: 'wasm' },
      encoding: 'utf8',
    });
    if (res.status !== 0) throw new Error(`wasm: the child failed: ${res.stderr.slice(-500)}`);
    const ms = (JSON.parse(res.stdout.trim().split('\n').pop()!) as { msPerStep: number[] }).msPerStep;
    lines.push(`| 0 | wasm backend (no libtorch) | ${(median(ms) / idleSpin).toFixed(1)}x | ${(median(ms) / idleSpin).toFixed(1)}x |`);
  }
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}

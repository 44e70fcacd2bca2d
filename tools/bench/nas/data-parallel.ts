/**
 * The data-parallel scaling benchmark (issue 14): clips/s of the library's search step for the default sample search
 * (C=8, 16 clips of 8x32x32) and a medium config (C=16, 4 clips of 8x112x112), on this machine's cores split two ways:
 *
 *   1 x T        one process with all T threads on the global batch (the peer)
 *   P x T/P      P processes (the launcher's environment, Gloo over loopback) with T/P threads each, the batch split
 *   1 x T/P, 1/P one process as one of those ranks alone: the ideal P x T/P is P times its clips/s
 *
 * Reported: clips/s, the ratio to the peer, the parallel efficiency (P x T/P against P times 1 x T/P), and the
 * all-reduce's share of the step (time inside collectives, waiting for the slower rank included). `--device cuda`
 * runs the same with one GPU per process (P = --nproc, at most the GPUs visible); the peer is then one GPU.
 *
 *   nx run tools:bench-dp [-- --nproc 2 --rounds 2 --steps 3 --configs sample,medium --device cpu]
 *
 * Each measurement is fresh processes; rounds alternate the order of the set-ups so a slow period of a shared machine
 * hits all of them. The machine's other load is printed before and after.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Command, Option } from 'commander';

const CHILD = path.join(__dirname, 'dp-child.ts');
const REGISTER = require.resolve('#runtime/register');

const CONFIGS: Record<string, { C: number; N: number; T: number; S: number; classes: number; what: string }> = {
  sample: { C: 8, N: 16, T: 8, S: 32, classes: 8, what: 'default sample search: C=8, 16 clips of 8x32x32' },
  medium: { C: 16, N: 4, T: 8, S: 112, classes: 8, what: 'medium: C=16, 4 clips of 8x112x112' },
};

interface ChildResult {
  rank: number;
  msPerStep: number[];
  collectiveMsPerStep: number[];
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** `procs` processes of dp-child (a group when procs > 1), each with `threads` threads and `perProc` clips. */
async function measure(c: (typeof CONFIGS)[string], procs: number, threads: number, perProc: number, steps: number, device: string): Promise<ChildResult[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pvnas-bench-dp-'));
  try {
    const runs = Array.from({ length: procs }, (_, rank) => {
      const env: NodeJS.ProcessEnv = { ...process.env, PVNAS_THREADS: String(threads) };
      if (procs > 1)
        Object.assign(env, {
          RANK: String(rank),
          WORLD_SIZE: String(procs),
          LOCAL_RANK: String(rank),
          LOCAL_WORLD_SIZE: String(procs),
          PVNAS_STORE_FILE: path.join(dir, 'store'),
        });
      const child = spawn(process.execPath, ['-r', REGISTER, CHILD, [c.C, perProc, c.T, c.S, c.classes, steps, 1].join(','), device], {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '',
        err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      return new Promise<ChildResult>((resolve, reject) =>
        child.on('close', (code) =>
          code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!) as ChildResult) : reject(new Error(`rank ${rank} failed: ${err.slice(-400)}`)),
        ),
      );
    });
    return await Promise.all(runs);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const busyCores = (): string => os.loadavg()[0]!.toFixed(2);

export async function main(argv: string[]): Promise<number> {
  const cmd = new Command('bench-dp')
    .addOption(new Option('--nproc <n>', 'processes of the data-parallel set-up').default('2'))
    .addOption(new Option('--threads <n>', 'threads of the machine to share (default: the cores)').default(String(os.availableParallelism())))
    .addOption(new Option('--rounds <n>', 'interleaved rounds').default('2'))
    .addOption(new Option('--steps <n>', 'timed steps per measurement (after 1 warm-up)').default('3'))
    .addOption(new Option('--configs <list>', `configs: ${Object.keys(CONFIGS).join(', ')}`).default('sample,medium'))
    .addOption(new Option('--device <d>', 'cpu, or cuda (one GPU per process)').choices(['cpu', 'cuda']).default('cpu'))
    .parse(argv);
  const o = cmd.opts<{ nproc: string; threads: string; rounds: string; steps: string; configs: string; device: string }>();
  const [P, T, rounds, steps] = [Number(o.nproc), Number(o.threads), Number(o.rounds), Number(o.steps)];
  const share = Math.max(1, Math.floor(T / P));
  const configs = o.configs.split(',').map((k) => {
    if (!CONFIGS[k]) throw new Error(`--configs: unknown config ${k} (${Object.keys(CONFIGS).join(', ')})`);
    return k;
  });
  process.stderr.write(`bench-dp: ${os.cpus().length} cores, load ${busyCores()} at start; ${P} processes x ${share} threads vs 1 x ${T}; ${o.device}\n`);
  const setups = [
    { key: 'peer', name: `1 x ${T} threads, global batch`, procs: 1, threads: T, part: 1 },
    { key: 'dp', name: `${P} x ${share} thread${share === 1 ? '' : 's'}, 1/${P} of the batch each`, procs: P, threads: share, part: P },
    { key: 'alone', name: `1 x ${share} thread${share === 1 ? '' : 's'}, 1/${P} of the batch (one rank alone)`, procs: 1, threads: share, part: P },
  ];
  const rows: string[] = [];
  for (const k of configs) {
    const c = CONFIGS[k]!;
    if (c.N % P) throw new Error(`config ${k}: its batch ${c.N} does not divide by --nproc ${P}`);
    const ms = new Map<string, number[]>();
    const coll = new Map<string, number[]>();
    for (let r = 0; r < rounds; r++) {
      for (const s of r % 2 ? [...setups].reverse() : setups) {
        const res = await measure(c, s.procs, s.threads, c.N / s.part, steps, o.device);
        // a group's step ends when its slowest rank's does
        const step = res[0]!.msPerStep.map((_, i) => Math.max(...res.map((x) => x.msPerStep[i]!)));
        const inColl = res[0]!.collectiveMsPerStep.map((_, i) => Math.max(...res.map((x) => x.collectiveMsPerStep[i]!)));
        ms.set(s.key, [...(ms.get(s.key) ?? []), ...step]);
        coll.set(s.key, [...(coll.get(s.key) ?? []), ...inColl]);
        process.stderr.write(`  ${k}, round ${r + 1}, ${s.name}: ${median(step).toFixed(0)} ms/step\n`);
      }
    }
    // clips of the step (the group's for the data-parallel set-up) per second
    const rate = (key: string, clips: number) => (clips * 1000) / median(ms.get(key)!);
    const [peer, dp, alone] = [rate('peer', c.N), rate('dp', c.N), rate('alone', c.N / P)];
    const share_ = median(coll.get('dp')!) / median(ms.get('dp')!);
    rows.push(
      `| ${c.what} | ${peer.toFixed(1)} | ${dp.toFixed(1)} | **${(dp / peer).toFixed(2)}x** | ${alone.toFixed(1)} | ${((100 * dp) / (P * alone)).toFixed(0)}% | ${(100 * share_).toFixed(1)}% |`,
    );
  }
  process.stdout.write(
    [
      '',
      `| config | clips/s, 1 x ${T} threads | clips/s, ${P} x ${share} | ${P} processes / 1 process | clips/s, one rank alone | parallel efficiency | all-reduce share of the step |`,
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...rows,
      '',
      `(${os.cpus().length} cores, ${o.device}; medians of ${rounds} x ${steps} timed steps; load ${busyCores()} at the end)`,
      '',
    ].join('\n'),
  );
  return 0;
}

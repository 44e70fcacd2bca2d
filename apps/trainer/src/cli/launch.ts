/**
 * Data-parallel launches with torchrun's conventions.
 *
 *   pvnas search|retrain|evaluate --nproc-per-node N [--nnodes M --node-rank R --master-addr HOST --master-port P]
 *
 * starts N worker processes of the same command on this node (ranks R*N .. R*N+N-1 of M*N), each with
 * RANK / WORLD_SIZE / LOCAL_RANK / LOCAL_WORLD_SIZE / MASTER_ADDR / MASTER_PORT in its environment: exactly what
 * torchrun, or srun with the README's wrapper, gives a process, so a worker started by them runs the same way. The
 * launcher forwards Ctrl-C and SIGTERM (each worker checkpoints at the next step and stops, as the group), and when a
 * worker dies it stops the others and exits naming the rank: a job never hangs on a dead process.
 *
 * One node: the rendezvous is a file in a private temporary folder (no port is opened for it) and the collectives'
 * connections bind to 127.0.0.1. Several nodes: rank 0 serves the rendezvous on --master-port and the connections bind
 * to the interface of --master-addr; like PyTorch's, it has no authentication: run such jobs on a trusted network.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Option, type Command } from 'commander';
import { z } from 'zod';
import { defaultThreads } from '@pvnas/nas';
import { intArg } from './args';

/** Where a worker stands, from its environment. */
export interface WorkerPlace {
  rank: number;
  worldSize: number;
  localRank: number;
  localWorldSize: number;
  /** Nodes of the job (WORLD_SIZE / LOCAL_WORLD_SIZE). */
  nodes: number;
  masterAddr: string;
  masterPort: number;
  /** The launcher's rendezvous file (one node), else a TCP rendezvous at masterAddr:masterPort. */
  storeFile?: string;
  /** Collective timeout (PVNAS_DIST_TIMEOUT, seconds). */
  timeoutMs?: number;
}

const count = (name: string, min: number) =>
  z.coerce
    .number({ message: `${name} must be a number` })
    .int(`${name} must be an integer`)
    .min(min, `${name} must be >= ${min}`);

const envSchema = z
  .object({
    RANK: count('RANK', 0),
    WORLD_SIZE: count('WORLD_SIZE', 1),
    LOCAL_RANK: count('LOCAL_RANK', 0).optional(),
    LOCAL_WORLD_SIZE: count('LOCAL_WORLD_SIZE', 1).optional(),
    MASTER_ADDR: z.string().min(1).default('127.0.0.1'),
    MASTER_PORT: count('MASTER_PORT', 1).max(65535, 'MASTER_PORT must be <= 65535').default(29500),
    PVNAS_STORE_FILE: z.string().min(1).optional(),
    PVNAS_DIST_TIMEOUT: z.coerce.number().positive('PVNAS_DIST_TIMEOUT must be > 0 seconds').optional(),
  })
  .refine((e) => e.RANK < e.WORLD_SIZE, { message: 'RANK must be below WORLD_SIZE' })
  .refine((e) => e.LOCAL_RANK === undefined || e.LOCAL_WORLD_SIZE === undefined || e.LOCAL_RANK < e.LOCAL_WORLD_SIZE, {
    message: 'LOCAL_RANK must be below LOCAL_WORLD_SIZE',
  });

/**
 * This process's place when a launcher (ours, torchrun, srun's wrapper) set RANK and WORLD_SIZE; undefined when
 * neither is set or WORLD_SIZE is 1 (a process alone). Throws naming the variable that is wrong.
 */
export function workerPlace(env: NodeJS.ProcessEnv = process.env): WorkerPlace | undefined {
  if (env.RANK === undefined && env.WORLD_SIZE === undefined) return undefined;
  if (env.RANK === undefined || env.WORLD_SIZE === undefined)
    throw new Error(
      `data-parallel environment: ${env.RANK === undefined ? 'WORLD_SIZE is set but RANK is not' : 'RANK is set but WORLD_SIZE is not'} (a launcher sets both, with MASTER_ADDR and MASTER_PORT)`,
    );
  const r = envSchema.safeParse(env);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new Error(`data-parallel environment: ${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message} (RANK=${env.RANK}, WORLD_SIZE=${env.WORLD_SIZE})`);
  }
  const e = r.data;
  if (e.WORLD_SIZE === 1) return undefined;
  const localWorldSize = e.LOCAL_WORLD_SIZE ?? e.WORLD_SIZE;
  return {
    rank: e.RANK,
    worldSize: e.WORLD_SIZE,
    localRank: e.LOCAL_RANK ?? e.RANK % localWorldSize,
    localWorldSize,
    nodes: Math.max(1, Math.round(e.WORLD_SIZE / localWorldSize)),
    masterAddr: e.MASTER_ADDR,
    masterPort: e.MASTER_PORT,
    ...(e.PVNAS_STORE_FILE && { storeFile: e.PVNAS_STORE_FILE }),
    ...(e.PVNAS_DIST_TIMEOUT !== undefined && { timeoutMs: e.PVNAS_DIST_TIMEOUT * 1000 }),
  };
}

export interface LaunchOptions {
  nprocPerNode: number;
  nnodes: number;
  nodeRank: number;
  masterAddr?: string;
  masterPort: number;
}

/** The launcher's flags on a command. */
export function addLaunchOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option('--nproc-per-node <n>', 'data parallel: worker processes on this node (one per GPU; CPU: each gets its share of the threads)').argParser(
        intArg('--nproc-per-node', 1),
      ),
    )
    .addOption(new Option('--nnodes <n>', 'data parallel: nodes of the job (each runs this command with its --node-rank)').argParser(intArg('--nnodes', 1)))
    .addOption(new Option('--node-rank <r>', "data parallel: this node's place, 0 .. nnodes-1 (default 0)").argParser(intArg('--node-rank', 0)))
    .option(
      '--master-addr <host>',
      'data parallel, several nodes: the address of node 0, where rank 0 serves the rendezvous (trusted networks only: no authentication)',
    )
    .addOption(new Option('--master-port <port>', 'data parallel: the rendezvous port on node 0 (default 29500)').argParser(intArg('--master-port', 1)));
}

/** The launch the flags ask for; undefined for one process, or in a worker (RANK set: the launcher already ran). */
export function launchRequested(
  f: { nprocPerNode?: number; nnodes?: number; nodeRank?: number; masterAddr?: string; masterPort?: number },
  env: NodeJS.ProcessEnv = process.env,
): LaunchOptions | undefined {
  const o: LaunchOptions = {
    nprocPerNode: f.nprocPerNode ?? 1,
    nnodes: f.nnodes ?? 1,
    nodeRank: f.nodeRank ?? 0,
    masterAddr: f.masterAddr,
    masterPort: f.masterPort ?? 29500,
  };
  if (o.nodeRank >= o.nnodes) throw new Error(`--node-rank ${o.nodeRank} must be below --nnodes ${o.nnodes}`);
  if (o.nnodes > 1 && !o.masterAddr) throw new Error(`--nnodes ${o.nnodes} needs --master-addr: the address of node 0 that the other nodes can reach`);
  if (o.nprocPerNode * o.nnodes === 1) return undefined;
  if (env.RANK !== undefined) return undefined;
  return o;
}

/** The environment of local worker `local` (exported for tests). */
export function workerEnv(o: LaunchOptions, local: number, storeFile: string | undefined, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const threads = env.PVNAS_THREADS ?? String(Math.max(1, Math.floor(defaultThreads() / o.nprocPerNode)));
  return {
    ...env,
    RANK: String(o.nodeRank * o.nprocPerNode + local),
    WORLD_SIZE: String(o.nnodes * o.nprocPerNode),
    LOCAL_RANK: String(local),
    LOCAL_WORLD_SIZE: String(o.nprocPerNode),
    GROUP_RANK: String(o.nodeRank),
    MASTER_ADDR: o.masterAddr ?? '127.0.0.1',
    MASTER_PORT: String(o.masterPort),
    PVNAS_THREADS: threads,
    ...(storeFile && { PVNAS_STORE_FILE: storeFile }),
  };
}

/**
 * Runs this command as `nprocPerNode` workers and waits for them. Returns the exit code: 0 when every worker
 * finished, 130 / 143 when they stopped on a forwarded Ctrl-C / SIGTERM with a checkpoint, 1 when one failed (the
 * others are then stopped).
 */
export async function launchWorkers(o: LaunchOptions, argv: string[], log: (line: string) => void): Promise<number> {
  const world = o.nnodes * o.nprocPerNode;
  // one node: the rendezvous is a file in a private folder, no port; several: rank 0 serves it on the master port
  const dir = o.nnodes === 1 ? fs.mkdtempSync(path.join(os.tmpdir(), 'pvnas-rdzv-')) : undefined;
  const storeFile = dir && path.join(dir, 'store');
  const first = o.nodeRank * o.nprocPerNode;
  log(
    `data parallel: ${o.nprocPerNode} processes here (ranks ${first}-${first + o.nprocPerNode - 1} of ${world}${o.nnodes > 1 ? `, node ${o.nodeRank} of ${o.nnodes}, rendezvous ${o.masterAddr}:${o.masterPort}` : ''})`,
  );
  const children: Array<{ rank: number; child: ChildProcess; exit?: { code: number | null; signal: NodeJS.Signals | null } }> = [];
  let failed: string | undefined;
  let signals = 0;
  let lastSignal = 'SIGINT' as NodeJS.Signals;
  const forward = (sig: NodeJS.Signals) => () => {
    signals++;
    lastSignal = sig;
    for (const c of children) if (!c.exit) c.child.kill(sig);
  };
  const onInt = forward('SIGINT');
  const onTerm = forward('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  let killTimer: NodeJS.Timeout | undefined;
  try {
    const done = Promise.all(
      Array.from({ length: o.nprocPerNode }, (_, local) => {
        const rank = first + local;
        // detached: a Ctrl-C in the terminal reaches the launcher only, which forwards it once; the IPC channel tells
        // a worker its launcher died (it then stops at the next step with a checkpoint)
        const child = spawn(process.execPath, [...process.execArgv, ...argv.slice(1)], {
          env: workerEnv(o, local, storeFile),
          stdio: ['ignore', rank === 0 ? 'inherit' : 'ignore', 'inherit', 'ipc'],
          detached: true,
        });
        const entry: (typeof children)[number] = { rank, child };
        children.push(entry);
        log(`  rank ${rank}: pid ${child.pid}`);
        return new Promise<void>((resolve) => {
          child.on('exit', (code, signal) => {
            entry.exit = { code, signal };
            // 130 / 143: stopped with a checkpoint after the Ctrl-C / SIGTERM we forwarded
            const bad = signal !== null || (code !== 0 && !((code === 130 || code === 143) && signals > 0));
            if (bad && !failed) {
              failed = `rank ${rank} (pid ${child.pid}) ${signal ? `was killed by ${signal}` : `exited with code ${code}`}`;
              log(`data parallel: ${failed}; stopping the other ranks`);
              for (const c of children) if (!c.exit) c.child.kill('SIGTERM');
              killTimer = setTimeout(() => {
                for (const c of children) if (!c.exit) c.child.kill('SIGKILL');
              }, 10_000);
            }
            resolve();
          });
        });
      }),
    );
    await done;
  } finally {
    if (killTimer) clearTimeout(killTimer);
    process.removeListener('SIGINT', onInt);
    process.removeListener('SIGTERM', onTerm);
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }
  if (failed) {
    log(`pvnas: data-parallel job failed: ${failed}`);
    return 1;
  }
  return children.some((c) => c.exit?.code === 130 || c.exit?.code === 143) ? (lastSignal === 'SIGTERM' ? 143 : 130) : 0;
}

/**
 * Runs the ablation's jobs as `pvnas` child processes, `jobs` at a time, each with cores / jobs threads
 * (two 1-thread searches on 2 cores do 1.7x the work of one 2-thread search: most kernels are too small to
 * split). A finished run (run.json status done) is never redone; a stopped or killed search or retraining
 * continues from its checkpoint (`--resume`); an unfinished evaluation starts again. Ctrl-C (SIGINT/SIGTERM)
 * asks every child to checkpoint and stop, then the ablation exits; the same command continues it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RunFolder } from '../run/run-folder';
import { readMetrics } from '../run/metrics';
import type { AblationDirs } from './job-config';
import type { Job } from './plan';
import { formatDuration } from '@pvnas/base';

export const PVNAS_BIN = path.resolve(__dirname, '..', '..', 'bin', 'pvnas.js');

export type JobState = 'done' | 'resume' | 'fresh';

/** What is left of a job's run folder: done, a search/retrain to resume, or nothing usable. */
export function jobState(job: Job, dirs: AblationDirs): JobState {
  const dir = path.join(dirs.runs, job.id);
  if (!fs.existsSync(path.join(dir, 'run.json'))) return 'fresh';
  const status = RunFolder.open(dir).meta.status;
  if (status === 'done') return 'done';
  return job.kind === 'evaluate' ? 'fresh' : 'resume';
}

export interface Launch {
  /** Arguments after `pvnas`. */
  args: string[];
}

export interface RunnerOptions {
  jobs: number;
  dirs: AblationDirs;
  /** Builds a job's command line when its dependencies are done (writes its config and genotype). */
  prepare(job: Job, state: Exclude<JobState, 'done'>): Launch;
  /** A job's epochs (evaluations: 1), for progress and the ETA. */
  epochs(job: Job): number;
  /** Expected seconds a job's epoch takes on this machine at `jobs` at a time, before a job of its kind has finished. */
  prior(job: Job): number;
  log(line: string): void;
  /** How often the progress line is printed. */
  progressEverySec?: number;
}

export interface RunnerResult {
  status: 'done' | 'stopped' | 'failed';
  failed: Array<{ id: string; log: string; code: number | null }>;
  ran: string[];
}

interface Running {
  job: Job;
  child: ChildProcess;
  started: number;
  epochs: number;
}

/** The fraction of a running job done: its epoch records over its epochs. */
function fractionDone(r: Running, dirs: AblationDirs): number {
  const metrics = path.join(dirs.runs, r.job.id, 'metrics.jsonl');
  if (r.job.kind === 'evaluate' || !fs.existsSync(metrics)) return 0;
  try {
    return Math.min(1, readMetrics(metrics).filter((m) => m.kind === 'epoch').length / r.epochs);
  } catch {
    return 0;
  }
}

export async function runJobs(all: Job[], o: RunnerOptions): Promise<RunnerResult> {
  const threads = Math.max(1, Math.floor(os.availableParallelism() / o.jobs));
  const done = new Set(all.filter((j) => jobState(j, o.dirs) === 'done').map((j) => j.id));
  const pending = all.filter((j) => !done.has(j.id));
  const failed: RunnerResult['failed'] = [];
  const blocked = new Set<string>();
  const running = new Map<string, Running>();
  const ran: string[] = [];
  // measured seconds per epoch of each kind (evaluations: per run), replacing the prior once one has finished
  const measured: Record<Job['kind'], number[]> = { search: [], retrain: [], evaluate: [] };
  const expected = (job: Job): number => {
    const m = measured[job.kind];
    return (m.length > 0 ? m.reduce((a, b) => a + b, 0) / m.length : o.prior(job)) * o.epochs(job);
  };
  let stopping = false;
  const onSignal = (): void => {
    if (stopping) return;
    stopping = true;
    o.log(`\nablation: stopping; ${running.size} run(s) write a checkpoint and stop. Run the same command again to continue.`);
    for (const r of running.values()) r.child.kill('SIGINT');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const start = Date.now();
  o.log(`ablation: ${all.length} runs, ${done.size} already done; ${o.jobs} at a time, ${threads} thread(s) each; logs in ${o.dirs.logs}`);
  const progress = setInterval(
    () => {
      const left =
        [...running.values()].reduce((s, r) => s + expected(r.job) * (1 - fractionDone(r, o.dirs)), 0) +
        pending.filter((j) => !blocked.has(j.id)).reduce((s, j) => s + expected(j), 0);
      const now = [...running.values()]
        .map((r) => `${r.job.id}${r.job.kind === 'evaluate' ? '' : ` ${Math.round(100 * fractionDone(r, o.dirs))}%`}`)
        .join(', ');
      o.log(
        `ablation: ${done.size}/${all.length} runs done, ${formatDuration((Date.now() - start) / 1000)} elapsed; running ${now || 'nothing'}; ETA ${formatDuration(left / o.jobs)}`,
      );
    },
    1000 * (o.progressEverySec ?? 60),
  );
  progress.unref();

  fs.mkdirSync(o.dirs.logs, { recursive: true });
  try {
    await new Promise<void>((resolve) => {
      const launchReady = (): void => {
        if (stopping) {
          if (running.size === 0) resolve();
          return;
        }
        for (const job of [...pending]) {
          if (running.size >= o.jobs) break;
          if (job.after.some((d) => failed.some((f) => f.id === d) || blocked.has(d))) {
            blocked.add(job.id);
            pending.splice(pending.indexOf(job), 1);
            continue;
          }
          if (!job.after.every((d) => done.has(d))) continue;
          pending.splice(pending.indexOf(job), 1);
          const state = jobState(job, o.dirs) as Exclude<JobState, 'done'>;
          const logFile = path.join(o.dirs.logs, `${job.id}.log`);
          let launch: Launch;
          try {
            if (state === 'fresh') fs.rmSync(path.join(o.dirs.runs, job.id), { recursive: true, force: true });
            launch = o.prepare(job, state);
          } catch (e) {
            fs.appendFileSync(logFile, `ablation: ${(e as Error).message}\n`);
            o.log(`ablation: ${job.id} could not start: ${(e as Error).message}`);
            failed.push({ id: job.id, log: logFile, code: null });
            continue;
          }
          const out = fs.openSync(logFile, 'a');
          fs.writeSync(out, `\n$ pvnas ${launch.args.join(' ')}   (${new Date().toISOString()})\n`);
          // own process group: a terminal's Ctrl-C reaches the ablation only, which passes on one SIGINT (two would
          // quit a run at once); the IPC channel tells the run when the ablation is gone, however it ended
          const child = spawn(process.execPath, [PVNAS_BIN, ...launch.args], {
            stdio: ['ignore', out, out, 'ipc'],
            detached: true,
            env: { ...process.env, PVNAS_THREADS: String(threads) },
          });
          fs.closeSync(out);
          running.set(job.id, { job, child, started: Date.now(), epochs: o.epochs(job) });
          ran.push(job.id);
          o.log(`ablation: ${state === 'resume' ? 'continuing' : 'starting'} ${job.id}`);
          child.on('exit', (code) => {
            const r = running.get(job.id)!;
            running.delete(job.id);
            const secs = (Date.now() - r.started) / 1000;
            if (code === 0 && jobState(job, o.dirs) === 'done') {
              done.add(job.id);
              if (state === 'fresh') measured[job.kind].push(secs / r.epochs);
              o.log(`ablation: ${job.id} done in ${formatDuration(secs)} (${done.size}/${all.length})`);
            } else if (stopping) {
              o.log(`ablation: ${job.id} stopped`);
            } else {
              failed.push({ id: job.id, log: logFile, code });
              o.log(`ablation: ${job.id} FAILED (exit ${code}); see ${logFile}`);
            }
            launchReady();
            if (running.size === 0 && (stopping || pending.length === 0 || !pending.some((j) => j.after.every((d) => done.has(d))))) resolve();
          });
        }
        if (running.size === 0) resolve();
      };
      launchReady();
    });
  } finally {
    clearInterval(progress);
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
  const status = stopping ? 'stopped' : failed.length > 0 || blocked.size > 0 || done.size < all.length ? 'failed' : 'done';
  if (blocked.size > 0) o.log(`ablation: not run because a run they need failed: ${[...blocked].join(', ')}`);
  return { status, failed, ran };
}

/**
 * Running the workspace's command-line entry points as real child processes (`node <bin> ...`), the way a
 * user's shell does: own process, own cwd, stdout and stderr piped (not a TTY, so progress prints plain lines).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const WORKSPACE = path.resolve(__dirname, '..', '..');
export const PVNAS_BIN = path.join(WORKSPACE, 'apps', 'trainer', 'bin', 'pvnas.js');

export interface CliResult {
  /** Exit code, or null when a signal ended the process. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface CliOptions {
  /** Working directory of the process (a temp dir in these tests, never the workspace). */
  cwd: string;
  /** Kill the process (and fail) after this many ms. Default 60 s. */
  timeoutMs?: number;
  /** Start the process in its own process group (so a signal can go to the whole group, as Ctrl-C in a terminal does). */
  detached?: boolean;
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** Called with every chunk the process writes to stderr. */
  onStderr?: (text: string) => void;
}

export interface RunningCli {
  child: ChildProcess;
  /** Resolves when the process has exited (rejects on timeout). */
  done: Promise<CliResult>;
  /** Everything written to stderr so far. */
  stderrSoFar(): string;
}

/** Children started in their own process group. */
const detachedChildren = new WeakSet<ChildProcess>();

export function startCli(bin: string, args: string[], opts: CliOptions): RunningCli {
  const started = Date.now();
  const env = { ...process.env, ...opts.env };
  delete env.FORCE_COLOR;
  const child = spawn(process.execPath, [bin, ...args], { cwd: opts.cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: opts.detached ?? false });
  if (opts.detached) detachedChildren.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => {
    stderr += s;
    opts.onStderr?.(s);
  });
  const done = new Promise<CliResult>((resolve, reject) => {
    const timer = setTimeout(() => {
      killTree(child, 'SIGKILL');
      reject(new Error(`${path.basename(bin)} ${args.join(' ')}: no exit after ${opts.timeoutMs ?? 60_000} ms\nstderr:\n${stderr}`));
    }, opts.timeoutMs ?? 60_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
  return { child, done, stderrSoFar: () => stderr };
}

export function runCli(bin: string, args: string[], opts: CliOptions): Promise<CliResult> {
  return startCli(bin, args, opts).done;
}

/** Sends `signal` to the child, or to its whole process group when it was started detached; ignores a process already gone. */
export function killTree(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    if (detachedChildren.has(child)) process.kill(-child.pid, signal);
    else child.kill(signal);
  } catch {
    // already exited
  }
}

/** Polls `check` every `everyMs` until it returns a value other than undefined; throws after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs = 30_000, everyMs = 25): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * Linux: the ids of the processes named `comm` (e.g. "ffmpeg") in process group `pgid`, read from /proc/<pid>/stat.
 * Elsewhere: undefined (the caller cannot aim a signal at them).
 */
export function groupPids(pgid: number, comm: string): number[] | undefined {
  if (process.platform !== 'linux') return undefined;
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    const open = stat.indexOf('(');
    const close = stat.lastIndexOf(')');
    const fields = stat.slice(close + 2).split(' '); // state ppid pgrp ...
    if (stat.slice(open + 1, close) === comm && Number(fields[2]) === pgid) pids.push(Number(entry));
  }
  return pids;
}

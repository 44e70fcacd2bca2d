/**
 * Timing with the context a shared 2-core machine needs: wall time, the CPU this process used (every thread, and
 * the children it has reaped: ffmpeg, python), and how busy the whole machine was meanwhile, so the CPU that other
 * users took during a measurement is on record next to the figure (`otherCores`).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';

const TICK_MS = 10; // USER_HZ = 100 on Linux

interface Snapshot {
  wall: number;
  /** This process (all threads), microseconds. */
  selfUs: number;
  /** Reaped children (ffmpeg, python), ms. */
  childMs: number;
  /** Machine-wide busy and total jiffies. */
  busy: number;
  total: number;
  load1: number;
}

export interface Measured {
  sec: number;
  /** CPU seconds used by this process and its children over the measurement. */
  cpuSec: number;
  /** Cores the machine had busy on average (all users), and the part of that which was not ours. */
  machineCores: number;
  otherCores: number;
  load1: [number, number];
}

function childCpuMs(): number {
  try {
    const f = fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
    // After "pid (comm) ": state=0 ... cutime=13 cstime=14 (clock ticks)
    return (Number(f[13]) + Number(f[14])) * TICK_MS;
  } catch {
    return 0;
  }
}

function machineJiffies(): { busy: number; total: number } {
  try {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0];
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal guest guest_nice (guest is inside user)
    const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
    const idle = v[3] + v[4];
    return { busy: total - idle, total };
  } catch {
    return { busy: 0, total: 0 };
  }
}

function snapshot(): Snapshot {
  const u = process.cpuUsage();
  const j = machineJiffies();
  return { wall: performance.now(), selfUs: u.user + u.system, childMs: childCpuMs(), busy: j.busy, total: j.total, load1: os.loadavg()[0] };
}

export function cores(): number {
  return os.availableParallelism?.() ?? os.cpus().length;
}

/** Runs `fn` and returns its result with the measurement. */
export async function measure<T>(fn: () => Promise<T>): Promise<{ value: T; m: Measured }> {
  const a = snapshot();
  const value = await fn();
  const b = snapshot();
  const sec = (b.wall - a.wall) / 1000;
  const cpuSec = (b.selfUs - a.selfUs) / 1e6 + (b.childMs - a.childMs) / 1000;
  const n = cores();
  const dTotal = b.total - a.total;
  const machineCores = dTotal > 0 ? ((b.busy - a.busy) / dTotal) * n : 0;
  const ours = sec > 0 ? cpuSec / sec : 0;
  return {
    value,
    m: { sec, cpuSec, machineCores, otherCores: Math.max(0, machineCores - ours), load1: [a.load1, b.load1] },
  };
}

/** Runs `worker(i)` for i in `items` order, `lanes` at a time. */
export async function inLanes<T>(items: readonly T[], lanes: number, worker: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) await worker(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(lanes, items.length)) }, lane));
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function round(x: number, digits = 2): number {
  if (!Number.isFinite(x)) return x;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

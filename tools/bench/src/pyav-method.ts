/**
 * The PyAV reference loader (tools/bench/py/pyav_loader.py, the PySlowFast recipe) on the same clips: the clip list
 * goes to Python as JSON (video, the 8 frames' pts from the TS probe, the crop parameters the library drew, the
 * loader's order), Python prints its timings as JSON. Before timing, it writes the native-size frames it picks for the
 * first `verifyClips` clips, which are compared here with decodeFrames' frames of the same indices (and with the next
 * frame's, to show that a one-frame slip would be far bigger than the yuv->rgb difference between the two builds).
 */
import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ClipList } from './clip-list';
import { measure, type Measured } from './measure';
import { TRAIN, type BenchOptions } from './options';
import { decodeFrames } from '@pvnas/ingest';

export const PYAV_SCRIPT = path.resolve(__dirname, '..', 'py', 'pyav_loader.py');

export interface PyavPass {
  sec: number;
  clips: number;
  batches: number;
  clipsPerSec: number;
  workerCpuMsPerClip: number;
  parentCpuMsPerClip: number;
  checksum: number;
}

export interface PyavOutput {
  python: string;
  av: string;
  libavcodec: string;
  numpy: string;
  pil: string;
  workers: number;
  startSec: number;
  convert: string;
  resize: string;
  passes: PyavPass[];
  verify?: Array<{ n: number; file: string; shape: number[] }>;
}

export interface FrameCheck {
  clip: number;
  video: string;
  indices: number[];
  /** Over every byte of the 8 frames: PyAV vs decodeFrames. */
  maxAbsDiff: number;
  meanAbsDiff: number;
  /** Share of bytes that differ by more than 2. */
  over2: number;
  /** PyAV's frames vs decodeFrames' frames one index later: what picking the wrong frame would look like. */
  nextFrameMeanAbsDiff: number;
}

export interface PyavResult {
  /** The first invocation's output (versions, verification; its passes are in `passes`). */
  output: Omit<PyavOutput, 'passes'>;
  /** Every pass of every invocation, in run order (`cold` marks the first). */
  passes: Array<PyavPass & { cold: boolean }>;
  /** Each python run as seen from here (start-up, time-base checks and verification included). */
  runs: Measured[];
  checks: FrameCheck[];
}

interface SpecClip {
  n: number;
  path: string;
  indices: number[];
  pts: number[];
  params: { scaleH: number; scaleW: number; cropY: number; cropX: number; size: number; flip: boolean };
}

export function pyavSpec(list: ClipList, o: Pick<BenchOptions, 'workers' | 'batchSize'>): object {
  const timeBases: Record<string, [number, number]> = {};
  const clips = list.clips.map((c): SpecClip => {
    const pts = c.info.framePts;
    if (!pts || !c.info.timeBase) throw new Error(`${c.record.path}: the probe found no frame timestamps; the PyAV reference picks frames by pts`);
    const p = path.resolve(c.record.path);
    timeBases[p] = c.info.timeBase;
    const { scaleH, scaleW, cropY, cropX, size, flip } = c.params;
    return { n: c.n, path: p, indices: c.indices, pts: c.indices.map((i) => pts[i]), params: { scaleH, scaleW, cropY, cropX, size, flip } };
  });
  return {
    workers: o.workers,
    batchSize: o.batchSize,
    mean: TRAIN.mean,
    std: TRAIN.std,
    order: list.order,
    timeBases,
    clips,
  };
}

/** `python3 -c 'import av, numpy, PIL'`: undefined when the reference can run, else why not. */
export function pyavUnavailable(python: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(python, ['-c', 'import av, numpy, PIL'], { timeout: 30_000 }, (err, _out, stderr) => {
      resolve(
        err
          ? `${python} cannot import av/numpy/PIL (${(stderr || err.message).trim().split('\n').pop()}); on Debian: apt install python3-av python3-numpy python3-pil`
          : undefined,
      );
    });
  });
}

/** Seconds one python run may take before it is killed (its whole process group: the pool workers too). */
const PYTHON_TIMEOUT_SEC = 600;

function runPython(python: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    // Own process group, so that a timeout also ends the multiprocessing workers.
    const child = spawn(python, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, PYTHON_TIMEOUT_SEC * 1000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else {
        const why = timedOut ? `no answer within ${PYTHON_TIMEOUT_SEC} s, killed` : `exit ${code}: ${err.trim().split('\n').slice(-3).join(' | ')}`;
        reject(new Error(`${path.basename(PYAV_SCRIPT)} failed (${why})`));
      }
    });
  });
}

async function checkFrames(list: ClipList, verify: NonNullable<PyavOutput['verify']>): Promise<FrameCheck[]> {
  const checks: FrameCheck[] = [];
  for (const v of verify) {
    const c = list.clips[v.n];
    const ours = await decodeFrames(c.record.path, c.indices, { info: c.info });
    const theirs = new Uint8Array(fs.readFileSync(v.file));
    if (theirs.length !== ours.data.length) {
      throw new Error(
        `PyAV frames of clip ${v.n} (${c.record.path}) have shape ${v.shape.join('x')}, decodeFrames ${ours.frames}x${ours.height}x${ours.width}x3`,
      );
    }
    const next = await decodeFrames(
      c.record.path,
      c.indices.map((i) => Math.min(i + 1, c.info.frames - 1)),
      { info: c.info },
    );
    let max = 0;
    let sum = 0;
    let over = 0;
    let sumNext = 0;
    for (let k = 0; k < theirs.length; k++) {
      const d = Math.abs(theirs[k] - ours.data[k]);
      if (d > max) max = d;
      if (d > 2) over++;
      sum += d;
      sumNext += Math.abs(theirs[k] - next.data[k]);
    }
    checks.push({
      clip: v.n,
      video: c.record.path,
      indices: c.indices,
      maxAbsDiff: max,
      meanAbsDiff: sum / theirs.length,
      over2: over / theirs.length,
      nextFrameMeanAbsDiff: sumNext / theirs.length,
    });
  }
  return checks;
}

/**
 * The PyAV reference on one clip list: `round(cold)` runs the script once (its worker processes start, untimed, then
 * one pass, cold or timed). The first round also writes the frames for the check against decodeFrames.
 */
export class PyavRun {
  private readonly specFile: string;
  private readonly verifyDir: string;
  readonly result: PyavResult = { output: undefined as unknown as PyavResult['output'], passes: [], runs: [], checks: [] };

  constructor(
    private readonly list: ClipList,
    workDir: string,
    private readonly o: BenchOptions,
  ) {
    fs.mkdirSync(workDir, { recursive: true });
    this.specFile = path.join(workDir, 'pyav-clips.json');
    fs.writeFileSync(this.specFile, JSON.stringify(pyavSpec(list, o)));
    this.verifyDir = path.join(workDir, 'pyav-frames');
  }

  async round(cold: boolean): Promise<PyavPass & { cold: boolean }> {
    const first = this.result.runs.length === 0;
    const verify = first ? Math.min(this.o.verifyClips, this.list.clips.length) : 0;
    const args = [PYAV_SCRIPT, this.specFile, ...(cold ? ['--cold', '--passes', '0'] : ['--passes', '1'])];
    if (verify) args.push('--verify', String(verify), '--verify-out', this.verifyDir);
    const { value: stdout, m } = await measure(() => runPython(this.o.python, args));
    let output: PyavOutput;
    try {
      output = JSON.parse(stdout.trim().split('\n').pop() as string) as PyavOutput;
    } catch {
      throw new Error(`${path.basename(PYAV_SCRIPT)} printed no JSON: ${stdout.slice(-300)}`);
    }
    const { passes, ...rest } = output;
    if (first) {
      this.result.output = rest;
      this.result.checks = await checkFrames(this.list, output.verify ?? []);
    }
    this.result.runs.push(m);
    const p = passes[passes.length - 1] as PyavPass & { cold: boolean };
    this.result.passes.push(...(passes as Array<PyavPass & { cold: boolean }>));
    return p;
  }
}

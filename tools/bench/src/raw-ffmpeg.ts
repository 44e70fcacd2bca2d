/**
 * The decode limit: for each clip, the window decode that decodeFrames runs — the same bundled ffmpeg, the same
 * input seek (`-copyts -ss <slot start of the first frame>`), the same `select` of the 8 frames by pts, rgb24 at the
 * native size, one decoder thread — spawned directly (child_process, no fluent-ffmpeg, no showinfo, no parsing, no
 * transform, nothing leaves the pipe but a byte count), `workers` processes at a time, in the loader's clip order.
 * What the pool path gets through per second can only approach this.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import type { BenchClip, ClipList } from './clip-list';
import { inLanes, measure, type Measured } from './measure';
import { FFMPEG_PATH, scaleChain, selectByPts, selectByNumber } from '@pvnas/ingest';

export interface RawPass extends Measured {
  clips: number;
  clipsPerSec: number;
  cpuMsPerClip: number;
}

export interface RawResult {
  passes: RawPass[];
  failures: Array<{ item: string; reason: string }>;
  /** The argument list of the first clip, for the record. */
  exampleArgs: string[];
}

/** ffmpeg arguments of one clip's window decode (what decodeFrames' first try runs, minus showinfo). */
export function rawArgs(c: BenchClip): string[] {
  const sorted = [...new Set(c.indices)].sort((a, b) => a - b);
  const select = c.info.framePts ? selectByPts(c.info.framePts, sorted) : selectByNumber(sorted);
  const t = '1';
  return [
    ...['-nostdin', '-hide_banner', '-loglevel', 'error', '-nostats', '-threads', t, '-filter_threads', t, '-copyts'],
    ...(c.seekSec !== undefined ? ['-ss', c.seekSec.toFixed(6)] : []),
    ...['-i', `file:${path.resolve(c.record.path)}`],
    ...['-map', '0:v:0', '-an', '-sn', '-dn', '-vsync', '0', '-vf', `${select},${scaleChain(c.info.width, c.info.height)}`],
    ...['-sws_flags', 'bilinear', '-frames:v', String(sorted.length), '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'],
  ];
}

/** Runs one window decode; resolves with the bytes ffmpeg wrote. */
function runOne(args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(FFMPEG_PATH, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let bytes = 0;
    let err = '';
    child.stdout.on('data', (b: Buffer) => (bytes += b.length));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(bytes) : reject(new Error(`ffmpeg exited ${code}: ${err.trim().split('\n').slice(-2).join(' | ')}`))));
  });
}

/** The raw method over a clip list: one `pass()` = every clip once, in the loader's order, `workers` at a time. */
export class RawRun {
  private readonly clips: BenchClip[];
  private readonly args: Map<number, string[]>;
  readonly failures: RawResult['failures'] = [];

  constructor(
    list: ClipList,
    private readonly workers: number,
  ) {
    this.clips = list.order.map((n) => list.clips[n]);
    this.args = new Map(this.clips.map((c) => [c.n, rawArgs(c)]));
  }

  get exampleArgs(): string[] {
    return this.args.get(this.clips[0].n)!;
  }

  async pass(): Promise<RawPass> {
    let done = 0;
    const { m } = await measure(() =>
      inLanes(this.clips, this.workers, async (c) => {
        try {
          const bytes = await runOne(this.args.get(c.n)!);
          const want = new Set(c.indices).size * c.info.width * c.info.height * 3;
          if (bytes !== want) throw new Error(`got ${bytes} bytes, expected ${want}`);
          done++;
        } catch (e) {
          if (!this.failures.some((f) => f.item === c.record.path)) this.failures.push({ item: c.record.path, reason: (e as Error).message });
        }
      }),
    );
    return { ...m, clips: done, clipsPerSec: done / m.sec, cpuMsPerClip: (m.cpuSec * 1000) / Math.max(1, done) };
  }
}

/**
 * Progress for long jobs: items done of total, rate, ETA, plus frames/s. A cli-progress bar on a TTY, and a
 * plain line every few seconds otherwise (CI logs, pipes). Output goes to stderr; stdout stays for results.
 */
import { SingleBar } from 'cli-progress';

export interface ProgressOptions {
  total: number;
  unit: string;
  label: string;
  /** Seconds between plain lines when not on a TTY. */
  plainEverySec?: number;
  stream?: NodeJS.WriteStream;
}

export interface ProgressExtra {
  /** Frames processed so far (for frames/s). */
  frames?: number;
  failed?: number;
  /** Items processed by this run (excludes items skipped as already done), for the rate and ETA. */
  rateBase?: number;
}

export interface Progress {
  update(done: number, extra?: ProgressExtra): void;
  stop(): void;
}

export function formatDuration(sec: number): string {
  if (!Number.isFinite(sec)) return '--';
  const s = Math.round(sec);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(r).padStart(2, '0')}s` : `${r}s`;
}

/** Rate and ETA from what this run processed (`base` items in `elapsedSec`) and what is left. */
export function rateAndEta(base: number, elapsedSec: number, remaining: number): { rate: number; etaSec: number } {
  const rate = elapsedSec > 0 ? base / elapsedSec : 0;
  return { rate, etaSec: rate > 0 ? remaining / rate : remaining === 0 ? 0 : Infinity };
}

export function createProgress(opts: ProgressOptions): Progress {
  const stream = opts.stream ?? process.stderr;
  const started = Date.now();
  let stopped = false;
  const fields = (done: number, extra: ProgressExtra = {}): Record<string, string> => {
    const elapsed = (Date.now() - started) / 1000;
    const { rate, etaSec } = rateAndEta(extra.rateBase ?? done, elapsed, opts.total - done);
    return {
      rate: rate.toFixed(1),
      eta: formatDuration(etaSec),
      fps: elapsed > 0 && extra.frames !== undefined ? (extra.frames / elapsed).toFixed(0) : '-',
      failed: String(extra.failed ?? 0),
    };
  };
  if (stream.isTTY) {
    const bar = new SingleBar({
      stream,
      format: `${opts.label} [{bar}] {value}/{total} ${opts.unit} | {rate} ${opts.unit}/s | {fps} frames/s | failed {failed} | ETA {eta}`,
      barsize: 24,
      hideCursor: true,
      etaBuffer: 50,
    });
    bar.start(opts.total, 0, fields(0));
    return {
      update: (done, extra) => {
        if (!stopped) bar.update(done, fields(done, extra));
      },
      stop: () => {
        if (!stopped) bar.stop();
        stopped = true;
      },
    };
  }
  const every = (opts.plainEverySec ?? 5) * 1000;
  let lastLine = 0;
  let last: { done: number; extra?: ProgressExtra } = { done: 0 };
  const line = (done: number, extra?: ProgressExtra): void => {
    const f = fields(done, extra);
    stream.write(`${opts.label}: ${done}/${opts.total} ${opts.unit}, ${f.rate} ${opts.unit}/s, ${f.fps} frames/s, failed ${f.failed}, ETA ${f.eta}\n`);
    lastLine = Date.now();
  };
  return {
    update: (done, extra) => {
      last = { done, extra };
      if (!stopped && (Date.now() - lastLine >= every || done === opts.total)) line(done, extra);
    },
    stop: () => {
      if (!stopped && last.done !== opts.total) line(last.done, last.extra);
      stopped = true;
    },
  };
}

/**
 * Progress of a long job on stderr, for every command (cache builds, training, the ablation): a cli-progress
 * bar on a TTY, and a plain line every few seconds otherwise (CI logs, pipes). The caller says what a step
 * is (`text`); this module only draws. stdout stays for results.
 */
import { SingleBar } from 'cli-progress';

export interface ProgressBarOptions {
  label: string;
  total: number;
  /** Steps already done when the job starts (a resumed run). */
  done?: number;
  /** Seconds between plain lines when not on a TTY. */
  plainEverySec?: number;
  stream?: NodeJS.WriteStream;
}

export interface ProgressBar {
  /** `done` steps of the total; `text` says the rest (rate, loss, ETA, ...). */
  update(done: number, text: string): void;
  /** A line of its own above the bar. */
  line(text: string): void;
  stop(): void;
}

export function createProgressBar(o: ProgressBarOptions): ProgressBar {
  const stream = o.stream ?? process.stderr;
  let stopped = false;
  if (stream.isTTY) {
    const bar = new SingleBar({ stream, format: `${o.label} [{bar}] {text}`, barsize: 24, hideCursor: true, clearOnComplete: false });
    let done = o.done ?? 0;
    let text = 'starting';
    bar.start(o.total, done, { text });
    return {
      update: (d, t) => {
        [done, text] = [d, t];
        if (!stopped) bar.update(done, { text });
      },
      line: (s) => {
        if (stopped) return void stream.write(s + '\n');
        bar.stop();
        stream.write(s + '\n');
        bar.start(o.total, done, { text });
      },
      stop: () => {
        if (!stopped) bar.stop();
        stopped = true;
      },
    };
  }
  const every = (o.plainEverySec ?? 5) * 1000;
  let lastLine = 0;
  let pending: string | undefined;
  const write = (text: string): void => {
    stream.write(`${o.label}: ${text}\n`);
    lastLine = Date.now();
    pending = undefined;
  };
  return {
    update: (done, text) => {
      pending = text;
      if (!stopped && (Date.now() - lastLine >= every || done === o.total)) write(text);
    },
    line: (s) => void stream.write(s + '\n'),
    stop: () => {
      if (!stopped && pending !== undefined) write(pending);
      stopped = true;
    },
  };
}

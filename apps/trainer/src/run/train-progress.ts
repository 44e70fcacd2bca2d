/**
 * Training progress on stderr: a cli-progress bar on a TTY (epoch, step, loss, accuracy, clips/s, data
 * wait, ETA), a plain line every few seconds otherwise (CI logs, pipes). stdout stays for results.
 */
import { SingleBar } from 'cli-progress';
import { formatDuration } from '@pvnas/ingest';

export interface TrainTick {
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  loss: number;
  acc: number;
  clipsPerSec: number;
  dataWait: number;
}

export interface TrainProgress {
  tick(t: TrainTick): void;
  line(text: string): void;
  stop(): void;
}

export function createTrainProgress(label: string, totalSteps: number, doneSteps: number, stream: NodeJS.WriteStream = process.stderr, plainEverySec = 10): TrainProgress {
  const started = Date.now();
  const startSteps = doneSteps;
  let done = doneSteps;
  const fields = (t: TrainTick) => {
    const rate = (done - startSteps) / Math.max(1e-3, (Date.now() - started) / 1000);
    return {
      epoch: `${t.epoch + 1}/${t.epochs}`,
      step: `${t.batch + 1}/${t.batches}`,
      loss: t.loss.toFixed(3),
      acc: (100 * t.acc).toFixed(0),
      cps: t.clipsPerSec.toFixed(1),
      wait: (100 * t.dataWait).toFixed(0),
      eta: formatDuration(rate > 0 ? (totalSteps - done) / rate : Infinity),
    };
  };
  const text = (f: ReturnType<typeof fields>) => `epoch ${f.epoch} step ${f.step} | loss ${f.loss} | acc ${f.acc}% | ${f.cps} clips/s | data wait ${f.wait}% | ETA ${f.eta}`;
  if (stream.isTTY) {
    const bar = new SingleBar({ stream, format: `${label} [{bar}] {text}`, barsize: 20, hideCursor: true, clearOnComplete: false });
    bar.start(totalSteps, doneSteps, { text: 'starting' });
    let stopped = false;
    return {
      tick: (t) => {
        done++;
        if (!stopped) bar.update(done, { text: text(fields(t)) });
      },
      line: (s) => {
        if (stopped) stream.write(s + '\n');
        else {
          bar.stop();
          stream.write(s + '\n');
          bar.start(totalSteps, done, { text: '' });
        }
      },
      stop: () => {
        if (!stopped) bar.stop();
        stopped = true;
      },
    };
  }
  let last = 0;
  return {
    tick: (t) => {
      done++;
      if (Date.now() - last >= plainEverySec * 1000 || done === totalSteps) {
        last = Date.now();
        stream.write(`${label}: ${text(fields(t))}\n`);
      }
    },
    line: (s) => void stream.write(s + '\n'),
    stop: () => undefined,
  };
}

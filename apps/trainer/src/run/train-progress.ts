/**
 * Training progress on stderr through the shared progress bar (@pvnas/base/node): epoch, step, loss,
 * accuracy, clips/s, data wait and ETA, a bar on a TTY and a plain line every few seconds otherwise.
 */
import { formatDuration, rateAndEta } from '@pvnas/base';
import { createProgressBar } from '@pvnas/base/node';

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

export function createTrainProgress(
  label: string,
  totalSteps: number,
  doneSteps: number,
  stream: NodeJS.WriteStream = process.stderr,
  plainEverySec = 10,
): TrainProgress {
  const started = Date.now();
  let done = doneSteps;
  const bar = createProgressBar({ label, total: totalSteps, done: doneSteps, stream, plainEverySec });
  const text = (t: TrainTick): string => {
    const { etaSec } = rateAndEta(done - doneSteps, (Date.now() - started) / 1000, totalSteps - done);
    return `epoch ${t.epoch + 1}/${t.epochs} step ${t.batch + 1}/${t.batches} | loss ${t.loss.toFixed(3)} | acc ${(100 * t.acc).toFixed(0)}% | ${t.clipsPerSec.toFixed(1)} clips/s | data wait ${(100 * t.dataWait).toFixed(0)}% | ETA ${formatDuration(etaSec)}`;
  };
  return {
    tick: (t) => bar.update(++done, text(t)),
    line: (s) => bar.line(s),
    stop: () => bar.stop(),
  };
}

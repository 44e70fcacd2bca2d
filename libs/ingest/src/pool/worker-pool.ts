/**
 * The piscina pool every parallel ingest job runs on (cache building, clip loading). Workers load the
 * TypeScript task module through tsx (./worker-entry.js), so no build step is needed.
 */
import os from 'node:os';
import path from 'node:path';
import { Piscina } from 'piscina';
import { IngestError } from '../errors';

export type { Piscina };

export function defaultWorkerCount(): number {
  return Math.max(1, (os.availableParallelism?.() ?? os.cpus().length) - 0);
}

export function createWorkerPool(workers: number): Piscina {
  if (!Number.isInteger(workers) || workers < 1) {
    throw new IngestError('bad-config', 'workers', `must be a positive integer, got ${workers}`);
  }
  return new Piscina({
    filename: path.join(__dirname, 'worker-entry.js'),
    minThreads: workers,
    maxThreads: workers,
    // Two tasks at a time per worker: a task spends part of its time awaiting (its ffmpeg child, sharp's threads),
    // and the second one uses the thread meanwhile (1 vs 2 measured no clear difference: tools/bench/README.md).
    concurrentTasksPerWorker: 2,
    idleTimeout: 60_000,
  });
}

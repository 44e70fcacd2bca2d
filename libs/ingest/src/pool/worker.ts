/**
 * What a pool worker can do. Piscina calls the default export with a task; tasks are plain data and results
 * hand their large buffers back as transferables (Piscina.move), never copies.
 */
import { Piscina } from 'piscina';
import { ingestVideo } from '../cache/ingest-video';
import { toFailedItem, type FailedItem } from '../errors';
import type { VideoRecord } from '../manifest/types';
import type { CacheHeader } from '../cache/schema';
import type { ClipTask } from './clip-task';

export interface IngestVideoTask {
  kind: 'ingest-video';
  record: VideoRecord;
  settings: Pick<CacheHeader, 'shortSide' | 'fps' | 'quality'>;
  minFrames: number;
  /** Decode on this device ('cuda'), BuildOptions.hwaccel. */
  hwaccel?: string;
}

/** Returns `value` to the caller with `buffers` moved (not copied) across the thread boundary. */
export function transfer<T>(value: T, buffers: ArrayBuffer[]): T {
  return Piscina.move({ [Piscina.transferableSymbol]: buffers, [Piscina.valueSymbol]: value } as never) as T;
}

export type WorkerTask = IngestVideoTask | ClipTask;

/**
 * A task's outcome. Failures come back as data, not as thrown errors: errors crossing a thread boundary
 * lose their fields (kind, item), and a failed item is an expected result that the caller reports.
 */
export type TaskResult<T> = { ok: true; value: T } | { ok: false; failure: FailedItem };

export default async function runTask(task: WorkerTask): Promise<TaskResult<unknown>> {
  try {
    switch (task.kind) {
      case 'ingest-video': {
        const r = await ingestVideo(task.record, task.settings, { minFrames: task.minFrames, hwaccel: task.hwaccel });
        return transfer({ ok: true, value: r }, [r.jpegs.buffer as ArrayBuffer]);
      }
      case 'clip': {
        // loaded on first use: a cache build's workers never load the cache reader (zod, lmdb: ~150 ms a worker)
        const { loadClip } = require('./clip-task') as typeof import('./clip-task'); // eslint-disable-line @typescript-eslint/no-require-imports
        const r = await loadClip(task);
        return transfer(
          { ok: true, value: r },
          r.views.map((v) => v.buffer as ArrayBuffer),
        );
      }
    }
  } catch (err) {
    const item = task.kind === 'ingest-video' ? task.record.path : task.item;
    return { ok: false, failure: toFailedItem(item, err) };
  }
}

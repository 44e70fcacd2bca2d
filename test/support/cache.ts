/**
 * Looking inside a frame cache from outside the process that writes it: the LMDB environment opened
 * read-only with the layout documented in libs/ingest/src/cache/schema.ts (db `videos`: id -> record,
 * db `frames`: [id, index] -> JPEG), so the tests see every key, including frames no record points to.
 */
import fs from 'node:fs';
import path from 'node:path';
import { open } from 'lmdb';

export interface CacheAudit {
  /** id -> the record's `frames`. */
  records: Map<string, number>;
  /** id -> the frame indices stored under it, ascending. */
  frames: Map<string, number[]>;
}

/** Every record and every frame key of the cache; undefined while the cache does not exist yet (or is being created). */
export async function auditCache(dir: string): Promise<CacheAudit | undefined> {
  if (!fs.existsSync(path.join(dir, 'data.mdb'))) return undefined;
  let root;
  try {
    root = open({ path: dir, readOnly: true, maxDbs: 8, compression: false });
  } catch {
    return undefined;
  }
  try {
    const videos = root.openDB<{ frames: number }, string>({ name: 'videos', encoding: 'msgpack' });
    const frameDb = root.openDB<Buffer, [string, number]>({ name: 'frames', encoding: 'binary' });
    const records = new Map<string, number>();
    for (const { key, value } of videos.getRange()) records.set(key, value.frames);
    const frames = new Map<string, number[]>();
    for (const key of frameDb.getKeys()) {
      const [id, index] = key as [string, number];
      const list = frames.get(id) ?? [];
      list.push(index);
      frames.set(id, list);
    }
    for (const list of frames.values()) list.sort((a, b) => a - b);
    return { records, frames };
  } catch {
    // The writer has not created the named databases yet.
    return undefined;
  } finally {
    await root.close();
  }
}

/**
 * Problems that would make a partial video visible: a record whose frames are not exactly 0..frames-1, or
 * frames stored under an id that has no record. Empty when every video in the cache is whole.
 */
export function partialVideos(audit: CacheAudit): string[] {
  const problems: string[] = [];
  for (const [id, n] of audit.records) {
    const got = audit.frames.get(id) ?? [];
    const whole = got.length === n && got.every((v, i) => v === i);
    if (!whole) problems.push(`${id}: record says ${n} frames, stored ${got.length} (${got.slice(0, 5).join(',')}${got.length > 5 ? ',...' : ''})`);
  }
  for (const [id, got] of audit.frames) {
    if (!audit.records.has(id)) problems.push(`${id}: ${got.length} frames stored without a record`);
  }
  return problems;
}

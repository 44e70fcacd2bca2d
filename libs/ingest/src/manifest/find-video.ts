/**
 * Finding a video among candidate directories without one stat per guess: each directory is listed once
 * and kept in memory, so resolving 240k Kinetics records costs one readdir per class folder.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Lists the non-directory entries of a directory (null when it does not exist), caching each answer. */
export type DirLister = (dir: string) => ReadonlySet<string> | null;

export function createDirLister(): DirLister {
  const cache = new Map<string, ReadonlySet<string> | null>();
  return (dir) => {
    let entries = cache.get(dir);
    if (entries === undefined) {
      try {
        entries = new Set(
          fs
            .readdirSync(dir, { withFileTypes: true })
            .filter((d) => !d.isDirectory())
            .map((d) => d.name),
        );
      } catch {
        entries = null;
      }
      cache.set(dir, entries);
    }
    return entries;
  };
}

/**
 * The first `dir/stem+ext` that exists, trying directories in order and, within each, extensions in order.
 * Returns the absolute path, or undefined.
 */
export function findVideo(list: DirLister, dirs: readonly string[], stem: string, extensions: readonly string[]): string | undefined {
  for (const dir of dirs) {
    const entries = list(dir);
    if (!entries) continue;
    for (const ext of extensions) {
      if (entries.has(stem + ext)) return path.resolve(dir, stem + ext);
    }
  }
  return undefined;
}

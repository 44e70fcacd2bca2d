/**
 * Optional native addons (the libtorch training backend, the TurboJPEG codec): built by `npm install` when
 * their system library is present, absent otherwise. Loading never throws: it says why the addon is not
 * there and what to install, so the caller can fall back and tell the user.
 */
import * as fs from 'node:fs';

export type AddonLoad<T> = { ok: true; addon: T; file: string } | { ok: false; reason: string };

const loaded = new Map<string, AddonLoad<unknown>>();

/**
 * Loads the addon at `file` once per thread. `install` is the fix when it is missing (e.g. `apt-get install
 * libtorch-dev`); `beforeLoad` runs once just before the first load (environment the library reads at load).
 */
export function loadOptionalAddon<T>(file: string, install: string, beforeLoad?: () => void): AddonLoad<T> {
  const seen = loaded.get(file);
  if (seen) return seen as AddonLoad<T>;
  let result: AddonLoad<T>;
  if (!fs.existsSync(file)) {
    result = { ok: false, reason: `${file} is not built (${install}, then npm run build:native)` };
  } else {
    try {
      beforeLoad?.();
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      result = { ok: true, addon: require(file) as T, file };
    } catch (e) {
      result = { ok: false, reason: `${file} does not load: ${(e as Error).message.split('\n')[0]} (rebuild it: npm run build:native)` };
    }
  }
  loaded.set(file, result);
  return result;
}

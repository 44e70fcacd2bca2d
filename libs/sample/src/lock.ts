/**
 * A lock file next to a dataset root, so that two processes (parallel test workers, say) asked for the
 * same dataset generate it once: the second waits, then finds it up to date. A lock whose owner process
 * is gone (killed mid-run) is taken over.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** True when a process with this pid exists (EPERM: it exists but is not ours). */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** `<parent>/.<name>.<what>` for a root `<parent>/<name>`. */
export function siblingPath(root: string, what: string): string {
  return path.join(path.dirname(root), `.${path.basename(root)}.${what}`);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Runs `fn` holding the lock of `root` (`<parent>/.<name>.lock`, holding the owner's pid). Waits for a
 * live owner, up to `timeoutMs`; removes the lock of a dead one.
 */
export async function withRootLock<T>(root: string, fn: () => Promise<T>, timeoutMs = 15 * 60 * 1000): Promise<T> {
  const lockPath = siblingPath(root, 'lock');
  fs.mkdirSync(path.dirname(root), { recursive: true });
  const token = `${process.pid}`;
  const t0 = Date.now();
  for (;;) {
    try {
      fs.writeFileSync(lockPath, token, { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let owner: number;
    try {
      owner = Number(fs.readFileSync(lockPath, 'utf8').trim());
    } catch {
      continue; // released between our two calls
    }
    if (!processAlive(owner)) {
      fs.rmSync(lockPath, { force: true });
      continue;
    }
    if (Date.now() - t0 > timeoutMs) {
      throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${lockPath} (held by pid ${owner})`);
    }
    await sleep(200);
  }
  try {
    return await fn();
  } finally {
    try {
      if (fs.readFileSync(lockPath, 'utf8').trim() === token) fs.rmSync(lockPath, { force: true });
    } catch {
      // already gone
    }
  }
}

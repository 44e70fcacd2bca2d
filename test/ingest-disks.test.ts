/**
 * Ingest on disks that fail it, for real: a small tmpfs that fills up mid-build, and a read-only file system (a new
 * --out folder, and an existing cache), each mounted in a private mount namespace (`unshare -m`, as root; skipped,
 * saying so, where the machine does not allow it). What was committed before the disk filled must stay whole and
 * readable; the errors must say what happened, name the folder and print no stack trace.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { FrameCache } from '@pvnas/ingest';
import { PVNAS_BIN, runCli } from './support/cli';
import { makeTempDir, tinyKinetics } from './support/datasets';

/** Can this process mount a tmpfs in a mount namespace of its own? */
const canMount = (() => {
  const dir = fs.mkdtempSync('/tmp/pvnas-mount-probe-');
  const r = spawnSync('unshare', ['-m', 'sh', '-c', `mount -t tmpfs -o size=64k none ${dir}`], { encoding: 'utf8' });
  fs.rmSync(dir, { recursive: true, force: true });
  return r.status === 0;
})();
if (!canMount) process.stderr.write('ingest-disks.test.ts: skipped: `unshare -m` + `mount -t tmpfs` are not allowed here (they need root)\n');

/** Runs `script` (sh) in a private mount namespace; `$PVNAS` runs the CLI. */
function inNamespace(script: string, cwd: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync('unshare', ['-m', 'sh', '-c', `set -u\n${script}`], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, PVNAS: `${process.execPath} ${PVNAS_BIN}` },
    timeout: 180_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

(canMount ? describe : describe.skip)('pvnas ingest on a full disk and on a read-only one', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let flags: string;

  beforeAll(async () => {
    tmp = makeTempDir('e2e-ingest-disks');
    const { k } = await tinyKinetics(path.join(tmp.dir, 'tiny'), { train: 4, val: 1 });
    flags = `--root ${k} --csv ${path.join(k, 'annotations', 'train.csv')} --workers 1 --short-side 96`;
  }, 120_000);
  afterAll(() => tmp.remove());

  it('a disk that fills up mid-build: "the disk is full", the folder named, no stack trace; the videos committed before read whole', () => {
    const small = path.join(tmp.dir, 'small');
    const copy = path.join(tmp.dir, 'copy-of-full');
    fs.mkdirSync(small);
    const r = inNamespace(
      `mount -t tmpfs -o size=320k none ${small}\n$PVNAS ingest kinetics ${flags} --out ${small}/cache; echo "exit=$?"; cp -a ${small}/cache ${copy}`,
      tmp.dir,
    );
    expect(r.stdout).toMatch(/exit=1/);
    expect(r.stderr).toMatch(new RegExp(`${small}/cache: the disk is full: no space left to write the frame cache \\(\\d+\\.\\d MB free on its file system`));
    expect(r.stderr).toMatch(/free some space or choose an --out on a disk with room; the videos committed so far are kept/);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    const cache = FrameCache.openReader(copy);
    try {
      const ids = [...cache.ids()];
      expect(ids.length).toBeGreaterThan(0);
      expect(ids.length).toBeLessThan(8);
      for (const id of ids) {
        const v = cache.video(id)!;
        expect(cache.readJpegs(id, [0, v.frames - 1]).map((j) => j.length > 100)).toEqual([true, true]);
      }
    } finally {
      void cache.close();
    }
  }, 240_000);

  it('a read-only --out: a new folder and an existing cache are refused saying so, naming the folder', () => {
    const ro = path.join(tmp.dir, 'ro');
    fs.mkdirSync(ro);
    const r = inNamespace(
      [
        `mount -t tmpfs -o size=8m none ${ro}`,
        `$PVNAS ingest kinetics ${flags} --out ${ro}/cache > /dev/null 2>&1 || echo "first build failed"`,
        `mount -o remount,ro ${ro}`,
        `$PVNAS ingest kinetics ${flags} --out ${ro}/new; echo "new=$?"`,
        `$PVNAS ingest kinetics ${flags} --out ${ro}/cache; echo "existing=$?"`,
      ].join('\n'),
      tmp.dir,
    );
    expect(r.stdout).not.toMatch(/first build failed/);
    expect(r.stdout).toMatch(/new=1/);
    expect(r.stdout).toMatch(/existing=1/);
    expect(r.stderr).toMatch(new RegExp(`${ro}/new: cannot create the cache folder: its file system is read-only \\(choose an --out on a writable disk\\)`));
    expect(r.stderr).toMatch(new RegExp(`${ro}/cache: LMDB cannot open the frame cache: .*[Rr]ead-only file system.*lock file \\(lock\\.mdb\\)`));
    expect(r.stderr).not.toMatch(/^\s+at /m);
  }, 240_000);
});

describe('a damaged frame cache (LMDB would die with SIGBUS or SIGSEGV without a word)', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let k: string;
  let cache: string;
  beforeAll(async () => {
    tmp = makeTempDir('e2e-damaged-cache');
    ({ k } = await tinyKinetics(path.join(tmp.dir, 'tiny'), { train: 3, val: 1 }));
    cache = path.join(tmp.dir, 'cache');
    const r = await runCli(
      PVNAS_BIN,
      ['ingest', 'kinetics', '--root', k, '--csv', path.join(k, 'annotations', 'train.csv'), '--short-side', '48', '--workers', '1', '--out', cache],
      { cwd: tmp.dir, timeoutMs: 120_000 },
    );
    expect(r.code).toBe(0);
  }, 180_000);
  afterAll(() => tmp.remove());

  it.each([
    ['truncated (a partial copy)', (b: Buffer) => b.subarray(0, Math.floor(b.length * 0.6)), /data\.mdb is truncated: .* of the .* its last transaction wrote/],
    ['overwritten with random bytes', (b: Buffer) => Buffer.from(b.map((_, i) => (i * 2654435761) >>> 24)), /no LMDB meta page at byte 0/],
  ])(
    'one %s: ingest into it and a search reading it exit 1 naming data.mdb, no signal',
    async (name, damage, message) => {
      const copy = path.join(tmp.dir, name.split(' ')[0]);
      fs.mkdirSync(copy);
      fs.writeFileSync(path.join(copy, 'data.mdb'), damage(fs.readFileSync(path.join(cache, 'data.mdb'))));
      const ingest = await runCli(
        PVNAS_BIN,
        ['ingest', 'kinetics', '--root', k, '--csv', path.join(k, 'annotations', 'train.csv'), '--short-side', '48', '--out', copy],
        { cwd: tmp.dir },
      );
      const search = await runCli(
        PVNAS_BIN,
        ['search', '--manifest', path.join(k, 'annotations', 'train.csv'), '--root', k, '--cache', copy, '--jitter', '48,48', '--crop', '32'],
        { cwd: tmp.dir, timeoutMs: 120_000 },
      );
      for (const r of [ingest, search]) {
        expect({ code: r.code, signal: r.signal }).toEqual({ code: 1, signal: null });
        expect(r.stderr).toContain(`${path.join(copy, 'data.mdb')}: this frame cache cannot be opened safely`);
        expect(r.stderr).toMatch(message);
      }
      expect(fs.existsSync(path.join(tmp.dir, 'runs'))).toBe(false);
    },
    240_000,
  );
});

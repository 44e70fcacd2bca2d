/**
 * The printed tables. Rule: no absolute time stands alone — every clips/s sits next to its ratio against a peer
 * measured in the same run, stage times next to their share of the clip, the cache build next to a pool epoch.
 */
import type { StageTimes } from './profile';
import type { BenchReport, MethodName, SetResult, TargetCheck } from './run';

const LABEL: Record<MethodName, string> = {
  pool: 'pool    ClipLoader, video (decodeFrames)',
  cache: 'cache   ClipLoader, LMDB frame cache',
  raw: 'raw     ffmpeg window decode (the limit)',
  pyav: 'pyav    PyAV reference (PySlowFast recipe)',
};

function f(x: number | undefined, digits = 1): string {
  return x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(digits);
}

function pad(s: string, n: number, right = false): string {
  return right ? s.padStart(n) : s.padEnd(n);
}

function range(r: [number, number] | undefined, digits: number): string {
  return r ? `${f(r[0], digits)}-${f(r[1], digits)}` : '-';
}

function targetLine(t: TargetCheck): string {
  const v = t.unit === 'x' ? `${f(t.value, 2)}x` : `${f(t.value, 0)} clips/s`;
  const goal = t.unit === 'x' ? `>= ${t.target}x` : `>= ${t.target} clips/s`;
  const per = t.range ? `   (per round ${range(t.range, t.unit === 'x' ? 2 : 0)})` : '';
  return `  ${pad(t.name, 26)} ${pad(v, 14, true)}   target ${pad(goal, 16)} ${t.pass ? 'PASS' : 'MISS'}${per}`;
}

function stages(name: string, s: StageTimes, measured: number): string[] {
  const parts = Object.entries(s.stages).map(([k, ms]) => `${k} ${f(ms, 2)} ms (${f((100 * ms) / s.totalMs, 0)}%)`);
  const lines = [
    `  ${pad(name, 6)} ${parts.join(', ')}`,
    `         = ${f(s.totalMs, 2)} ms/clip -> ceiling ${f(s.ceilingClipsPerSec, 0)} clips/s with the workers; measured ${f(measured, 0)} clips/s = ${f((100 * measured) / s.ceilingClipsPerSec, 0)}% of it`,
  ];
  if (s.jpegCpuMs !== undefined)
    lines.push(`         jpeg decode CPU ${f(s.jpegCpuMs, 2)} ms/clip (libvips threads included) = ${f(s.jpegCpuMs / 8, 2)} ms/frame`);
  return lines;
}

export function formatSet(r: SetResult, workers: number): string {
  const out: string[] = [];
  const p = r.steady.pool!.clipsPerSec;
  out.push('');
  out.push(`== ${r.set.name}: ${r.set.description}`);
  out.push(
    `   ${r.clips} train clips of 8x112x112 (8 frames of a 64-frame window: ${r.windowFrames.min}-${r.windowFrames.max} source frames), ${workers} workers / processes per method; ${r.rounds} timed rounds after a cold one, methods interleaved`,
  );
  out.push(
    `  ${pad('method', 44)} ${pad('clips/s', 8, true)} ${pad('x pool', 8, true)} ${pad('x raw', 7, true)} ${pad('CPU ms/clip', 12, true)} ${pad('cold clips/s', 13, true)}`,
  );
  for (const m of ['pool', 'cache', 'raw', 'pyav'] as MethodName[]) {
    const s = r.steady[m];
    if (!s) {
      out.push(`  ${pad(LABEL[m], 44)} skipped: ${r.pyavSkipped ?? ''}`);
      continue;
    }
    out.push(
      `  ${pad(LABEL[m], 44)} ${pad(f(s.clipsPerSec), 8, true)} ${pad(f(s.clipsPerSec / p, 2), 8, true)} ${pad(f(s.clipsPerSec / r.steady.raw!.clipsPerSec, 2), 7, true)} ${pad(f(s.cpuMsPerClip), 12, true)} ${pad(f(s.coldClipsPerSec), 13, true)}`,
    );
  }
  out.push(
    `  cache build: ${r.build.videos} videos, ${r.build.frames} frames (short side 128, 30 fps, JPEG q90) at ${f(r.build.framesPerSec, 0)} frames/s = ${f(r.ratios.buildOverPoolEpoch, 2)}x the time of one pool epoch over these clips; ${f(r.build.framesPerSec / r.build.bareFramesPerSec, 2)}x the speed of a bare ffmpeg decode+scale of the same videos to /dev/null (${f(r.build.bareFramesPerSec, 0)} frames/s); first video written after ${f(r.build.firstVideoSec * 1000, 0)} ms of ${f(r.build.sec * 1000, 0)} (worker start-up and one video)`,
  );
  out.push('ratios (steady state; min-max over the timed rounds)');
  const ratio = (label: string, k: keyof SetResult['ratioRanges']): string =>
    `  ${pad(label, 18)} ${r.ratios[k] === undefined ? '-' : `${f(r.ratios[k], 2)}x`}   (${range(r.ratioRanges[k], 2)})`;
  out.push(ratio('cache / pool', 'cacheOverPool'));
  out.push(ratio('pool / pyav', 'poolOverPyav'));
  out.push(ratio('pool / raw ffmpeg', 'poolOverRaw'));
  out.push(ratio('pyav / raw ffmpeg', 'pyavOverRaw'));
  out.push('targets');
  for (const t of r.targets) out.push(targetLine(t));
  if (r.pyav) {
    const c = r.pyav.checks;
    if (c.length) {
      const max = Math.max(...c.map((x) => x.maxAbsDiff));
      const mean = c.reduce((a, x) => a + x.meanAbsDiff, 0) / c.length;
      const over = c.reduce((a, x) => a + x.over2, 0) / c.length;
      const next = c.reduce((a, x) => a + x.nextFrameMeanAbsDiff, 0) / c.length;
      out.push(
        `same frames: PyAV's picked frames vs decodeFrames (native size, ${c.length} clips): max |diff| ${max}, mean ${f(mean, 3)}, ${f(100 * over, 2)}% of values off by > 2; vs the next frame instead: mean ${f(next, 2)}`,
      );
    }
    const o = r.pyav.output;
    if (!o) return out.join('\n');
    out.push(`pyav: python ${o.python}, PyAV ${o.av} (libavcodec ${o.libavcodec}), numpy ${o.numpy}, PIL ${o.pil}; ${o.convert}; ${o.resize}`);
  }
  if (r.profile) {
    out.push('stage breakdown (single thread, median per clip)');
    out.push(...stages('pool', r.profile.video, p));
    if (r.profile.cache) out.push(...stages('cache', r.profile.cache, r.steady.cache!.clipsPerSec));
    const w = r.profile.rawWhatIf;
    if (w) {
      const parts = Object.entries(w.stages).map(([k, ms]) => `${k} ${f(ms, 2)} ms (${f((100 * ms) / w.totalMs, 0)}%)`);
      out.push(`  what-if: the cache path with frames stored raw instead of JPEG (scratch LMDB, not a library option)`);
      out.push(`         ${parts.join(', ')}`);
      out.push(
        `         = ${f(w.totalMs, 2)} ms/clip -> ceiling ${f(w.ceilingClipsPerSec, 0)} clips/s (${f(w.ceilingClipsPerSec / r.profile.cache!.ceilingClipsPerSec, 1)}x the JPEG cache's), at ${f(w.rawBytesPerFrame / w.jpegBytesPerFrame, 1)}x the bytes per frame (${f(w.rawBytesPerFrame / 1024, 1)} KiB raw vs ${f(w.jpegBytesPerFrame / 1024, 1)} KiB JPEG q90 on this set)`,
      );
    }
  }
  const busy = (['pool', 'cache', 'raw', 'pyav'] as MethodName[]).filter((m) => (r.steady[m]?.otherCores ?? 0) > 0.25);
  if (busy.length) {
    out.push(`note: other processes kept ${busy.map((m) => `${f(r.steady[m]!.otherCores, 1)} cores busy during ${m}`).join(', ')} (of the machine's cores)`);
  }
  return out.join('\n');
}

export function formatSummary(rep: BenchReport): string {
  const out = ['', '== summary (targets per set)'];
  for (const s of rep.summary) out.push(`  ${pad(s.set, 8)}${targetLine(s).trimStart()}`);
  const all = rep.summary.every((s) => s.pass);
  out.push(`  ${all ? 'all targets met' : `${rep.summary.filter((s) => !s.pass).length} of ${rep.summary.length} target checks missed`}`);
  return out.join('\n');
}

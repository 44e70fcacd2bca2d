/** `42s`, `3m07s`, `2h05m`; `--` for an unknown (infinite) duration. */
export function formatDuration(sec: number): string {
  if (!Number.isFinite(sec)) return '--';
  const s = Math.max(0, Math.round(sec));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(r).padStart(2, '0')}s` : `${r}s`;
}

/** Rate and ETA from what this run processed (`base` items in `elapsedSec`) and what is left. */
export function rateAndEta(base: number, elapsedSec: number, remaining: number): { rate: number; etaSec: number } {
  const rate = elapsedSec > 0 ? base / elapsedSec : 0;
  return { rate, etaSec: rate > 0 ? remaining / rate : remaining === 0 ? 0 : Infinity };
}

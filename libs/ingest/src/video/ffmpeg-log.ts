/**
 * Pure parsers for what the bundled ffmpeg 4.1 prints (there is no ffprobe): the `Input #0` header on stderr,
 * the per-packet lines of the `framecrc` muxer on stdout, and the per-frame lines of the `showinfo` filter.
 * Nothing here spawns a process; probe.ts and decode.ts feed these the text.
 */

/** One stream line of the `Input #0` header. */
export interface HeaderStream {
  /** Absolute stream index in the file (`Stream #0:N`). */
  index: number;
  type: 'Video' | 'Audio' | 'Subtitle' | 'Data' | 'Attachment';
  /** Codec name as ffmpeg prints it (`h264`, `vp9`, `aac`, ...). */
  codec: string;
  /** Coded size (video only, 0 otherwise). */
  width: number;
  height: number;
  /** `fps` (average frame rate), `tbr` (guessed real base rate) and `tbn` (stream time base denominator); 0 when absent. */
  fps: number;
  tbr: number;
  tbn: number;
  /** A cover picture (`(attached pic)`), not a video. */
  attachedPic: boolean;
  /** Display rotation in degrees clockwise (0, 90, 180, 270) from the `rotate` tag or the display matrix. */
  rotation: number;
}

export interface InputHeader {
  /** Container format list as printed (`mov,mp4,m4a,3gp,3g2,mj2`, `matroska,webm`, ...). */
  format: string;
  /** Container duration in seconds, 0 when ffmpeg prints `N/A`. */
  durationSec: number;
  /** Container start time in seconds (the origin of `-ss`), 0 when absent. */
  startTime: number;
  streams: HeaderStream[];
}

/** `30`, `29.97`, `90k`, `1k` as ffmpeg prints rates and time bases. */
export function parseRate(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(k?)$/.exec(text.trim());
  if (!m) return 0;
  return Number(m[1]) * (m[2] ? 1000 : 1);
}

/**
 * ffmpeg prints rates rounded to 2 decimals (`29.97`); NTSC-style rates are n*1000/1001, so a printed value within
 * rounding of such a rate is taken as that rate (29.97 -> 30000/1001 = 29.97002997...). Integers stay as they are.
 */
export function snapNtscRate(printed: number): number {
  if (!(printed > 0) || Number.isInteger(printed)) return printed;
  const n = Math.round(printed * 1.001);
  const ntsc = (n * 1000) / 1001;
  return Math.abs(ntsc - printed) < 0.006 ? ntsc : printed;
}

/** Degrees to the nearest quarter turn in [0, 360). */
export function normaliseDegrees(deg: number): number {
  const r = Math.round(deg / 90) * 90;
  return ((r % 360) + 360) % 360;
}

const STREAM_LINE = /^\s+Stream #0:(\d+)(?:\[[^\]]*\])?(?:\([^)]*\))?: (Video|Audio|Subtitle|Data|Attachment): (.*)$/;

function parseStream(index: number, type: HeaderStream['type'], rest: string): HeaderStream {
  const codec = /^([A-Za-z0-9_]+)/.exec(rest)?.[1] ?? 'unknown';
  let width = 0;
  let height = 0;
  if (type === 'Video') {
    // `, 64x48` or `, 64x48 [SAR 1:1 DAR 4:3]`; the ", " guard skips codec tags like `(avc1 / 0x31637661)`.
    const size = /, (\d+)x(\d+)(?=[ ,]|$)/.exec(rest);
    if (size) {
      width = Number(size[1]);
      height = Number(size[2]);
    }
  }
  const rate = (unit: string): number => {
    const m = new RegExp(`(?:^|, )(\\d+(?:\\.\\d+)?k?) ${unit}(?=[ ,]|$)`).exec(rest);
    return m ? parseRate(m[1]) : 0;
  };
  return {
    index,
    type,
    codec,
    width,
    height,
    fps: rate('fps'),
    tbr: rate('tbr'),
    tbn: rate('tbn'),
    attachedPic: rest.includes('(attached pic)'),
    rotation: 0,
  };
}

/** Parses the `Input #0, ...` block of ffmpeg's stderr. Returns undefined when there is none (ffmpeg failed to open). */
export function parseInputHeader(stderr: string): InputHeader | undefined {
  const lines = stderr.split(/\r\n|\r|\n/);
  const start = lines.findIndex((l) => l.startsWith('Input #0, '));
  if (start < 0) return undefined;
  const header: InputHeader = {
    format: /^Input #0, (.*), from /.exec(lines[start])?.[1] ?? '',
    durationSec: 0,
    startTime: 0,
    streams: [],
  };
  for (let i = start + 1; i < lines.length; i++) {
    const line = lines[i];
    if (/^(Output #|Stream mapping:|Input #1|frame=|Press \[q\])/.test(line)) break;
    const dur = /^\s+Duration: (?:(\d+):(\d+):(\d+(?:\.\d+)?)|N\/A)(?:, start: (-?\d+(?:\.\d+)?))?/.exec(line);
    if (dur) {
      if (dur[1] !== undefined) header.durationSec = Number(dur[1]) * 3600 + Number(dur[2]) * 60 + Number(dur[3]);
      if (dur[4] !== undefined) header.startTime = Number(dur[4]);
      continue;
    }
    const st = STREAM_LINE.exec(line);
    if (st) {
      header.streams.push(parseStream(Number(st[1]), st[2] as HeaderStream['type'], st[3]));
      continue;
    }
    const last = header.streams[header.streams.length - 1];
    if (!last) continue;
    const tag = /^\s+rotate\s+: (-?\d+(?:\.\d+)?)\s*$/.exec(line);
    if (tag) last.rotation = normaliseDegrees(Number(tag[1]));
    const matrix = /displaymatrix: rotation of (-?\d+(?:\.\d+)?) degrees/.exec(line);
    if (matrix) last.rotation = normaliseDegrees(-Number(matrix[1]));
  }
  return header;
}

/** One packet line of the `framecrc` muxer (stream copy: packets, in decode order). */
export interface PacketLine {
  dts: number | null;
  /** null when the container stores no presentation time for this packet (AVI with B-frames, raw streams). */
  pts: number | null;
  /** AV_PKT_FLAG_*: 1 key, 2 corrupt, 4 discard (outside an mp4 edit list: decoded, never shown). */
  flags: number;
}

export interface PacketTable {
  /** Time base of dts/pts, `[num, den]`; undefined if the `#tb` line is missing. */
  timeBase?: [number, number];
  packets: PacketLine[];
}

const NOPTS = '-9223372036854775808';

function tick(text: string): number | null {
  const t = text.trim();
  return t === NOPTS ? null : Number(t);
}

/** Parses `-f framecrc` output: `#tb 0: 1/15360` then `0, dts, pts, duration, size, 0xcrc[, F=0xflags][, S=...]`. */
export function parsePacketTable(text: string): PacketTable {
  const table: PacketTable = { packets: [] };
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) {
      const tb = /^#tb \d+: (\d+)\/(\d+)/.exec(line);
      if (tb && !table.timeBase) table.timeBase = [Number(tb[1]), Number(tb[2])];
      continue;
    }
    const f = line.split(',');
    if (f.length < 6) continue;
    // No `F=` field means flags == AV_PKT_FLAG_KEY exactly (framecrc prints F= only when flags differ from that).
    const fl = f.slice(6).find((x) => x.trim().startsWith('F='));
    table.packets.push({ dts: tick(f[1]), pts: tick(f[2]), flags: fl ? parseInt(fl.trim().slice(2), 16) : 1 });
  }
  return table;
}

/** One `showinfo` line: frame number at the filter, pts in the stream time base (null for NOPTS), pts_time as printed. */
export interface ShowinfoFrame {
  n: number;
  pts: number | null;
  ptsTime: number;
}

export function parseShowinfo(stderr: string): ShowinfoFrame[] {
  const out: ShowinfoFrame[] = [];
  const re = /\] n:\s*(\d+) pts:\s*(-?\d+|NOPTS) pts_time:(\S+)/g;
  for (let m = re.exec(stderr); m; m = re.exec(stderr)) {
    out.push({ n: Number(m[1]), pts: m[2] === 'NOPTS' ? null : Number(m[2]), ptsTime: Number(m[3]) });
  }
  return out;
}

/** Reasons ffmpeg gives for a damaged container while reading packets (not during decoding). */
export const DAMAGE_PATTERNS: RegExp[] = [/partial file/i, /corrupt input packet/i, /moov atom not found/i];

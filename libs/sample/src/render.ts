/**
 * Renders one sample clip: RGB uint8 frames `[T, H, W, 3]`, contiguous, from a scene (drawn from a
 * seed) and a motion class. Pure and deterministic: plain typed-array loops, no floating-point
 * reductions whose order could change, so the same inputs give byte-identical frames.
 *
 * A frame is: the static background of the scene, the object painted at its state for that frame
 * (always whole inside the frame), then per-pixel noise. Output frame t of a class shows the state and
 * the noise of positive-time index k (k = t for a positive class, k = T - 1 - t for its time reversal),
 * so a negative class's frames are exactly its partner's frames in reverse order.
 */
import { sampleClass, type SampleClass } from './classes';
import { drawScene, objectTrack, type NoiseGrid, type ObjectState, type Rgb, type Scene } from './scene';
import { deriveSeed } from '@pvnas/base';

export interface RenderClipOptions {
  /** Motion class: name, index into SAMPLE_CLASSES, or the class itself. */
  cls: string | number | SampleClass;
  /** T, at least 1. */
  frames: number;
  /** Frame rate the motion speeds are expressed against. */
  fps: number;
  /** A scene from `drawScene`; or give `seed`, `width`, `height` to draw one. */
  scene?: Scene;
  seed?: number;
  width?: number;
  height?: number;
  /** Also return the object mask `[T, H, W]` (1 where the object was painted). */
  withMask?: boolean;
}

export interface RenderedClip {
  /** RGB uint8, `[T, H, W, 3]`. */
  frames: Uint8Array;
  /** T */
  length: number;
  height: number;
  width: number;
  /** The object's state in each output frame. */
  states: ObjectState[];
  /** `[T, H, W]`, 1 = object pixel; only with `withMask`. */
  mask?: Uint8Array;
  scene: Scene;
}

// Math functions as module constants: inside jest's sandbox every global lookup in a hot loop goes
// through the context's interceptors and costs ~10x; a closure variable does not.
const { abs, atan2, ceil, cos, floor, max, min, round, sin, PI } = Math;

const SHAPE_CODE = { disc: 0, square: 1, triangle: 2, ellipse: 3 } as const;
const TEXTURE_CODE = { stripes: 0, checker: 1, mottled: 2, pinwheel: 3 } as const;
const HALF_SIDE = Math.SQRT1_2;
const SIN60 = Math.sqrt(3) / 2;
const ELLIPSE_MINOR = 0.55;

/** Smooth value noise at (u, v) in [0, 1]², result in [0, 1]. */
function sampleNoise(g: NoiseGrid, u: number, v: number): number {
  const fx = min(max(u, 0), 1) * g.gridW;
  const fy = min(max(v, 0), 1) * g.gridH;
  const ix = min(floor(fx), g.gridW - 1);
  const iy = min(floor(fy), g.gridH - 1);
  let tx = fx - ix;
  let ty = fy - iy;
  tx = tx * tx * (3 - 2 * tx);
  ty = ty * ty * (3 - 2 * ty);
  const w = g.gridW + 1;
  const a = g.values[iy * w + ix]!;
  const b = g.values[iy * w + ix + 1]!;
  const c = g.values[(iy + 1) * w + ix]!;
  const d = g.values[(iy + 1) * w + ix + 1]!;
  return a + (b - a) * tx + (c - a) * ty + (a - b - c + d) * tx * ty;
}

/** The static background of a scene, RGB uint8 `[H, W, 3]`. */
export function renderBackground(scene: Scene): Uint8Array {
  const { width: W, height: H } = scene;
  const bg = scene.background;
  const out = new Uint8Array(W * H * 3);
  const ca = cos(bg.angle);
  const sa = sin(bg.angle);
  const halfDiag = Math.hypot(W, H) / 2;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const s = ((x + 0.5 - W / 2) * ca + (y + 0.5 - H / 2) * sa) / halfDiag; // [-1, 1]
      const n = sampleNoise(bg.noise, (x + 0.5) / W, (y + 0.5) / H);
      let t: number;
      if (bg.kind === 'gradient') t = 0.8 * (0.5 + 0.5 * s) + 0.2 * n;
      else if (bg.kind === 'stripes') t = 0.8 * (0.5 + 0.5 * sin(PI * bg.cycles * s + bg.phase)) + 0.2 * n;
      else t = n;
      const o = (y * W + x) * 3;
      out[o] = round(bg.c0[0] + (bg.c1[0] - bg.c0[0]) * t);
      out[o + 1] = round(bg.c0[1] + (bg.c1[1] - bg.c0[1]) * t);
      out[o + 2] = round(bg.c0[2] + (bg.c1[2] - bg.c0[2]) * t);
    }
  }
  return out;
}

/**
 * Paints the object into one frame `[H, W, 3]` at `state` (pixels outside the frame are skipped), and marks its
 * pixels in `mask` (`[H, W]`) when given. A pixel belongs to the object when its centre is inside the
 * shape (no anti-aliasing: the mask is exactly the painted pixels).
 */
function paintObject(scene: Scene, state: ObjectState, frame: Uint8Array, mask: Uint8Array | undefined, maskOffset: number): void {
  const { width: W, height: H } = scene;
  const obj = scene.object;
  const shape = SHAPE_CODE[obj.shape];
  const texture = TEXTURE_CODE[obj.texture];
  const ca: Rgb = obj.ca;
  const cb: Rgb = obj.cb;
  const r = state.radius;
  const inv = 1 / r;
  const cosA = cos(state.angle);
  const sinA = sin(state.angle);
  const tc = cos(obj.textureAngle);
  const ts = sin(obj.textureAngle);
  const cycles = obj.textureCycles;
  const sectors = (2 * obj.wedgePairs) / (2 * PI);
  const x0 = max(0, floor(state.x - r - 0.5));
  const x1 = min(W - 1, ceil(state.x + r + 0.5));
  const y0 = max(0, floor(state.y - r - 0.5));
  const y1 = min(H - 1, ceil(state.y + r + 0.5));
  for (let py = y0; py <= y1; py++) {
    const dy = py + 0.5 - state.y;
    for (let px = x0; px <= x1; px++) {
      const dx = px + 0.5 - state.x;
      // Object coordinates: rotate by -angle, scale to unit circumradius.
      const u = (dx * cosA + dy * sinA) * inv;
      const v = (-dx * sinA + dy * cosA) * inv;
      let inside: boolean;
      if (shape === 0) inside = u * u + v * v <= 1;
      else if (shape === 1) inside = abs(u) <= HALF_SIDE && abs(v) <= HALF_SIDE;
      else if (shape === 2) inside = u >= -0.5 && 0.5 * u - SIN60 * v <= 0.5 && 0.5 * u + SIN60 * v <= 0.5;
      else inside = u * u + (v * v) / (ELLIPSE_MINOR * ELLIPSE_MINOR) <= 1;
      if (!inside) continue;

      let t: number;
      if (texture === 0) {
        t = floor((u * tc + v * ts + 2) * cycles) & 1;
      } else if (texture === 1) {
        const a = u * tc + v * ts;
        const b = -u * ts + v * tc;
        t = (floor((a + 2) * cycles) + floor((b + 2) * cycles)) & 1;
      } else if (texture === 2) {
        t = min(max((sampleNoise(obj.noise, (u + 1) / 2, (v + 1) / 2) - 0.5) * 2.4 + 0.5, 0), 1);
      } else {
        t = floor((atan2(v, u) + PI) * sectors) & 1;
      }

      const o = (py * W + px) * 3;
      frame[o] = round(ca[0] + (cb[0] - ca[0]) * t);
      frame[o + 1] = round(ca[1] + (cb[1] - ca[1]) * t);
      frame[o + 2] = round(ca[2] + (cb[2] - ca[2]) * t);
      if (mask) mask[maskOffset + py * W + px] = 1;
    }
  }
}

/**
 * Noise values for one clip: entry `i` (a 16-bit random draw) is the triangular sample
 * `(lo byte + hi byte - 255) / 255 * amplitude`, rounded. A table lookup per channel keeps noise cheap.
 */
function noiseTable(amplitude: number): Int16Array {
  const table = new Int16Array(65536);
  const scale = amplitude / 255;
  for (let i = 0; i < 65536; i++) table[i] = round(((i & 255) + (i >>> 8) - 255) * scale);
  return table;
}

/** Adds table noise to every channel of one frame (a clamped view: sums saturate at 0 and 255). */
function addNoise(frame: Uint8ClampedArray, table: Int16Array, seed: number): void {
  let s = seed >>> 0 || 0x9e3779b9;
  const n = frame.length;
  for (let i = 0; i < n; i += 2) {
    // xorshift32: one 32-bit draw gives two 16-bit table indices.
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    frame[i] = frame[i]! + table[s & 0xffff]!;
    if (i + 1 < n) frame[i + 1] = frame[i + 1]! + table[s >>> 16]!;
  }
}

/** Renders one clip. See the file comment for what a frame holds. */
export function renderClip(opts: RenderClipOptions): RenderedClip {
  const cls = typeof opts.cls === 'object' ? opts.cls : sampleClass(opts.cls);
  let scene = opts.scene;
  if (!scene) {
    if (opts.seed === undefined || opts.width === undefined || opts.height === undefined) {
      throw new TypeError('renderClip needs a scene, or seed + width + height');
    }
    scene = drawScene(opts.seed, opts.width, opts.height);
  }
  const T = opts.frames;
  if (!Number.isInteger(T) || T < 1) throw new RangeError(`renderClip: frames must be a positive integer, got ${T}`);
  if (!(opts.fps > 0)) throw new RangeError(`renderClip: fps must be positive, got ${opts.fps}`);
  const { width: W, height: H } = scene;
  const frameBytes = W * H * 3;
  const frames = new Uint8Array(T * frameBytes);
  const mask = opts.withMask ? new Uint8Array(T * W * H) : undefined;
  const background = renderBackground(scene);
  const states = objectTrack(scene, cls, T);
  const table = noiseTable(scene.noise.amplitude);
  const clamped = new Uint8ClampedArray(frames.buffer, frames.byteOffset, frames.length);
  for (let t = 0; t < T; t++) {
    const k = cls.direction > 0 ? t : T - 1 - t;
    const frame = frames.subarray(t * frameBytes, (t + 1) * frameBytes);
    frame.set(background);
    paintObject(scene, states[t]!, frame, mask, t * W * H);
    addNoise(clamped.subarray(t * frameBytes, (t + 1) * frameBytes), table, deriveSeed(scene.noise.seed, k));
  }
  return { frames, length: T, height: H, width: W, states, mask, scene };
}

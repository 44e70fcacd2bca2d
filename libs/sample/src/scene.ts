/**
 * The random part of a sample clip (a "scene"), and the object's state over time.
 *
 * Everything random is drawn here from one seed, in a fixed order that does not depend on the class:
 * the same seed gives the same background, object and start state under every class, and only the
 * motion differs. That is what makes a negative class the exact time reversal of its positive partner.
 *
 * Why a single frame carries no label. The world is a torus: the object wraps around the frame edges
 * (drawn split across opposite edges, like an arcade screen), its size wraps around a log-size range
 * (a growing object that reaches the largest size starts again from the smallest) and its angle wraps
 * around 2π. The start state is uniform on each of these circles, so at every time index the object's
 * position is uniform over the frame, its log-size uniform over the range and its angle uniform, for all
 * eight classes alike. A frame of `moving left` at time t has exactly the distribution of a frame of
 * `moving right`, `growing` or `rotating clockwise` at time t.
 */
import { createRng, type Rng } from '@pvnas/ingest';
import type { SampleClass } from './classes';

export type ShapeKind = 'disc' | 'square' | 'triangle' | 'ellipse';
/** Object textures; none is rotationally symmetric, so rotation shows even on a disc. */
export type TextureKind = 'stripes' | 'checker' | 'mottled' | 'pinwheel';
export type BackgroundKind = 'gradient' | 'mottled' | 'stripes';

export const SHAPES: readonly ShapeKind[] = ['disc', 'square', 'triangle', 'ellipse'];
export const TEXTURES: readonly TextureKind[] = ['stripes', 'checker', 'mottled', 'pinwheel'];
export const BACKGROUNDS: readonly BackgroundKind[] = ['gradient', 'mottled', 'stripes'];

/** An RGB colour, channels 0..255. */
export type Rgb = readonly [number, number, number];

/** A smooth random field: values in [0, 1] on a `(gridW + 1) x (gridH + 1)` lattice, row-major. */
export interface NoiseGrid {
  gridW: number;
  gridH: number;
  values: Float32Array;
}

export interface Scene {
  width: number;
  height: number;
  background: {
    kind: BackgroundKind;
    c0: Rgb;
    c1: Rgb;
    /** Direction of the gradient / stripes, radians. */
    angle: number;
    /** Stripe cycles across the frame diagonal. */
    cycles: number;
    phase: number;
    /** Used by `mottled`, and added faintly to the other kinds. */
    noise: NoiseGrid;
  };
  object: {
    shape: ShapeKind;
    texture: TextureKind;
    /** The two texture colours, both far from the background colours. */
    ca: Rgb;
    cb: Rgb;
    /** Stripe direction in object coordinates, radians. */
    textureAngle: number;
    /** Stripe / checker cells across the object's unit radius. */
    textureCycles: number;
    /** Pinwheel: number of colour pairs (2 or 3 → 180° or 120° symmetry). */
    wedgePairs: number;
    /** Mottled texture, over the object's [-1, 1]² box. */
    noise: NoiseGrid;
  };
  /** Smallest and largest circumradius, pixels (0.1 and 0.3 of the short side: ratio 3, the largest under half the short side). */
  radiusRange: readonly [number, number];
  /** State at time 0 of the positive class; each coordinate uniform on its circle. */
  start: {
    /** Centre, pixels, in [0, width) and [0, height). */
    x: number;
    y: number;
    /** Position in the log-radius range, [0, 1). */
    sizePhase: number;
    /** Radians, [0, 2π). */
    angle: number;
  };
  /** Speeds of the positive classes; negative classes are their time reversal. */
  rates: {
    /** Frame widths (or heights) per second. */
    translate: number;
    /** Log-radius ranges per second. */
    scale: number;
    /** Radians per second. */
    rotate: number;
  };
  /** Per-frame pixel noise: amplitude (triangular, ±amplitude per channel) and its base seed. */
  noise: { amplitude: number; seed: number };
}

/** Where the object is in one frame. */
export interface ObjectState {
  /** Centre, pixels, in [0, width) and [0, height) (the object wraps around the edges). */
  x: number;
  y: number;
  /** Circumradius, pixels. */
  radius: number;
  /** Radians in [0, 2π); increasing = clockwise on screen (y points down). */
  angle: number;
}

const TAU = 2 * Math.PI;

function pick<T>(rng: Rng, list: readonly T[]): T {
  return list[rng.int(0, list.length - 1)]!;
}

function uniform(rng: Rng, lo: number, hi: number): number {
  return lo + (hi - lo) * rng.next();
}

/** A colour from HSV with saturation and value kept away from grey and black. */
function randomColour(rng: Rng): Rgb {
  const h = rng.next() * 6;
  const s = uniform(rng, 0.35, 1);
  const v = uniform(rng, 0.3, 1);
  const i = Math.floor(h);
  const f = h - i;
  const p = v * (1 - s);
  const q = v * (1 - s * f);
  const t = v * (1 - s * (1 - f));
  const rgb = [
    [v, t, p],
    [q, v, p],
    [p, v, t],
    [p, q, v],
    [t, p, v],
    [v, p, q],
  ][i % 6]!;
  return [Math.round(rgb[0]! * 255), Math.round(rgb[1]! * 255), Math.round(rgb[2]! * 255)];
}

function distance(a: Rgb, b: Rgb): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
}

function noiseGrid(rng: Rng, gridW: number, gridH: number): NoiseGrid {
  const values = new Float32Array((gridW + 1) * (gridH + 1));
  for (let i = 0; i < values.length; i++) values[i] = rng.next();
  return { gridW, gridH, values };
}

/** Draws the colour pair of the object: far from both background colours and from each other. */
function objectColours(rng: Rng, c0: Rgb, c1: Rgb): [Rgb, Rgb] {
  let best: [Rgb, Rgb] = [randomColour(rng), randomColour(rng)];
  let bestScore = -1;
  // A fixed number of tries keeps the draw count (and so every later draw) independent of luck.
  for (let i = 0; i < 24; i++) {
    const a = randomColour(rng);
    const b = randomColour(rng);
    const score = Math.min(distance(a, c0), distance(a, c1), distance(b, c0), distance(b, c1), 0.8 * distance(a, b));
    if (score > bestScore) {
      bestScore = score;
      best = [a, b];
    }
  }
  return best;
}

/** Draws every random choice of one clip. Pure: the same (seed, width, height) gives the same scene. */
export function drawScene(seed: number, width: number, height: number): Scene {
  const rng = createRng(seed);
  const short = Math.min(width, height);

  const bgKind = pick(rng, BACKGROUNDS);
  const c0 = randomColour(rng);
  // The second background colour is a partial blend towards another colour: a background with less
  // contrast than the object.
  const other = randomColour(rng);
  const mixBg = uniform(rng, 0.3, 0.7);
  const c1: Rgb = [0, 1, 2].map((k) => Math.round(c0[k]! + (other[k]! - c0[k]!) * mixBg)) as unknown as Rgb;
  const background = {
    kind: bgKind,
    c0,
    c1,
    angle: rng.next() * TAU,
    cycles: uniform(rng, 1.5, 5),
    phase: rng.next() * TAU,
    noise: noiseGrid(rng, rng.int(3, 7), rng.int(2, 5)),
  };

  const [ca, cb] = objectColours(rng, c0, c1);
  const object = {
    shape: pick(rng, SHAPES),
    texture: pick(rng, TEXTURES),
    ca,
    cb,
    textureAngle: rng.next() * TAU,
    textureCycles: uniform(rng, 1.2, 2.5),
    wedgePairs: rng.int(2, 3),
    noise: noiseGrid(rng, 4, 4),
  };

  const radiusRange = [0.1 * short, 0.3 * short] as const;
  const start = { x: rng.next() * width, y: rng.next() * height, sizePhase: rng.next(), angle: rng.next() * TAU };
  // At 3-4 s per clip: the object travels 0.5-1 frame widths, grows or shrinks over 0.5-1 of the
  // size range (x1.7 to x2.8) and turns 120-280 degrees.
  const rates = {
    translate: uniform(rng, 0.17, 0.25),
    scale: uniform(rng, 0.17, 0.25),
    rotate: (uniform(rng, 40, 70) * Math.PI) / 180,
  };
  const noise = { amplitude: uniform(rng, 3, 8), seed: rng.int(0, 0xffffffff) };
  return { width, height, background, object, radiusRange, start, rates, noise };
}

function wrap(v: number, period: number): number {
  const r = v % period;
  return r < 0 ? r + period : r;
}

/**
 * The object's state at positive-time index `k` (seconds `k / fps` after the start) of the positive
 * class of `motion`. Only the coordinate of that motion moves; the others stay at their start value.
 */
export function positiveState(scene: Scene, motion: SampleClass['motion'], k: number, fps: number): ObjectState {
  const sec = k / fps;
  const { start, rates } = scene;
  const [rMin, rMax] = scene.radiusRange;
  const x = motion === 'translate-x' ? wrap(start.x + rates.translate * scene.width * sec, scene.width) : start.x;
  const y = motion === 'translate-y' ? wrap(start.y + rates.translate * scene.height * sec, scene.height) : start.y;
  const phase = motion === 'scale' ? wrap(start.sizePhase + rates.scale * sec, 1) : start.sizePhase;
  const angle = motion === 'rotate' ? wrap(start.angle + rates.rotate * sec, TAU) : start.angle;
  return { x, y, radius: rMin * Math.pow(rMax / rMin, phase), angle };
}

/**
 * The object's state in each of `frames` frames of a clip of class `cls`. A negative class plays the
 * positive one backwards: its frame t is the positive frame `frames - 1 - t`.
 */
export function objectTrack(scene: Scene, cls: SampleClass, frames: number, fps: number): ObjectState[] {
  const states: ObjectState[] = [];
  for (let t = 0; t < frames; t++) {
    states.push(positiveState(scene, cls.motion, cls.direction > 0 ? t : frames - 1 - t, fps));
  }
  return states;
}

/** A short noun phrase for the object (the SSv2 placeholder): "a striped disc". */
export function describeObject(scene: Scene): string {
  const adjective: Record<TextureKind, string> = {
    stripes: 'striped',
    checker: 'checkered',
    mottled: 'mottled',
    pinwheel: 'pinwheel',
  };
  return `a ${adjective[scene.object.texture]} ${scene.object.shape}`;
}

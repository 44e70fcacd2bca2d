/**
 * The random part of a sample clip (a "scene"), and the object's state over time.
 *
 * Everything random is drawn here from one seed, in a fixed order that does not depend on the class:
 * the same seed gives the same background, object and track under every class, and only the motion
 * differs. That is what makes a negative class the exact time reversal of its positive partner.
 *
 * Why a single frame carries no label. The object's state has four coordinates (x, y, log-radius,
 * angle); a class moves one of them linearly over the clip, by `travel` of its range, and holds the
 * others. Every coordinate, moving or held, is drawn as `low + u * (range - travel) + v * travel` with
 * u, v uniform: for a moving coordinate v is the clip's time (0 at the first frame, 1 at the last), for a
 * held one it is a draw. So at a uniformly random time every coordinate has the same distribution in
 * every class: a frame of `moving left` is distributed exactly as a frame of `moving right`, `growing`
 * or `rotating clockwise`. The object always stays whole inside the frame, moves at a constant rate and
 * covers most of its range, so the order of frames tells the class clearly.
 */
import type { SampleClass } from './classes';
import { createRng, type Rng } from '@pvnas/base';

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
  /** Smallest and largest circumradius, pixels (RADIUS_RANGE of the short side). */
  radiusRange: readonly [number, number];
  /**
   * Per coordinate, where the object is and how far it would go: `u` (where the track starts within the
   * range left after the travel), `v` (the held value's position along the travel) and `travel` (the
   * fraction of the coordinate's range a moving object covers over the clip).
   */
  track: Record<Coordinate, { u: number; v: number; travel: number }>;
  /** Per-frame pixel noise: amplitude (triangular, ±amplitude per channel) and its base seed. */
  noise: { amplitude: number; seed: number };
}

/** The four coordinates of the object's state; each class moves one. */
export type Coordinate = 'x' | 'y' | 'size' | 'angle';

/** Which coordinate each motion moves. */
export const MOTION_COORDINATE: Record<SampleClass['motion'], Coordinate> = { 'translate-x': 'x', 'translate-y': 'y', scale: 'size', rotate: 'angle' };

/** Circumradius range as fractions of the short side: ratio 3; the largest keeps a whole object inside. */
export const RADIUS_RANGE = [0.09, 0.27] as const;
/** Fraction of its range a moving coordinate covers over a clip (the angle's range is half a turn). */
export const TRAVEL_RANGE = [0.6, 0.9] as const;
/** The angle's range: a rotating object turns by `travel` of half a turn, never so far that a texture that repeats every half turn (stripes) aliases. */
const ANGLE_SPAN = Math.PI;

/** Where the object is in one frame. */
export interface ObjectState {
  /** Centre, pixels; the whole object is inside the frame. */
  x: number;
  y: number;
  /** Circumradius, pixels. */
  radius: number;
  /** Radians; increasing = clockwise on screen (y points down). */
  angle: number;
}

const TAU = 2 * Math.PI;

function pick<T>(rng: Rng, list: readonly T[]): T {
  return list[rng.int(0, list.length - 1)]!;
}

function uniform(rng: Rng, lo: number, hi: number): number {
  return lo + (hi - lo) * rng.next();
}

/** A colour from HSV: any hue, saturation and value drawn in the given ranges. */
function hsvColour(rng: Rng, saturation: readonly [number, number], value: readonly [number, number]): Rgb {
  const h = rng.next() * 6;
  const s = uniform(rng, saturation[0], saturation[1]);
  const v = uniform(rng, value[0], value[1]);
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

/**
 * Colours. The background is mid-bright with little contrast of its own; the object has one light and one
 * dark colour, so its edges and texture stand out from any background in every channel. (Measured: with
 * object and background drawn from the same colours, a small network could not find the motion among
 * the appearance in the time budget of the default search.)
 */
const BACKGROUND_VALUE = [0.4, 0.65] as const;
const LIGHT_VALUE = [0.85, 1] as const;
const DARK_VALUE = [0.05, 0.2] as const;

function noiseGrid(rng: Rng, gridW: number, gridH: number): NoiseGrid {
  const values = new Float32Array((gridW + 1) * (gridH + 1));
  for (let i = 0; i < values.length; i++) values[i] = rng.next();
  return { gridW, gridH, values };
}

/** Draws every random choice of one clip. Pure: the same (seed, width, height) gives the same scene. */
export function drawScene(seed: number, width: number, height: number): Scene {
  const rng = createRng(seed);
  const short = Math.min(width, height);

  const bgKind = pick(rng, BACKGROUNDS);
  const c0 = hsvColour(rng, [0.1, 0.6], BACKGROUND_VALUE);
  // The second background colour is a small blend towards another one: a background of low contrast.
  const other = hsvColour(rng, [0.1, 0.6], BACKGROUND_VALUE);
  const mixBg = uniform(rng, 0.15, 0.35);
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

  const ca = hsvColour(rng, [0, 0.5], LIGHT_VALUE);
  const cb = hsvColour(rng, [0, 1], DARK_VALUE);
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

  const radiusRange = [RADIUS_RANGE[0] * short, RADIUS_RANGE[1] * short] as const;
  const coordinate = () => ({ u: rng.next(), v: rng.next(), travel: uniform(rng, TRAVEL_RANGE[0], TRAVEL_RANGE[1]) });
  const track = { x: coordinate(), y: coordinate(), size: coordinate(), angle: coordinate() };
  const noise = { amplitude: uniform(rng, 2, 5), seed: rng.int(0, 0xffffffff) };
  return { width, height, background, object, radiusRange, track, noise };
}

/** `low + u (span - travel) + v travel`: the coordinate at position v of the track (see the file comment). */
function along(low: number, span: number, c: { u: number; travel: number }, v: number): number {
  return low + c.u * span * (1 - c.travel) + v * span * c.travel;
}

/**
 * The object's state at position `k` of `frames` (0 = first, frames - 1 = last frame) of the positive
 * class of `motion`. Only the coordinate of that motion moves; the others hold their drawn value.
 */
export function positiveState(scene: Scene, motion: SampleClass['motion'], k: number, frames: number): ObjectState {
  const moving = MOTION_COORDINATE[motion];
  const at = (c: Coordinate): number => (c === moving ? (frames > 1 ? k / (frames - 1) : 0.5) : scene.track[c].v);
  const [rMin, rMax] = scene.radiusRange;
  const margin = rMax + 1;
  const { track, width, height } = scene;
  return {
    x: along(margin, width - 2 * margin, track.x, at('x')),
    y: along(margin, height - 2 * margin, track.y, at('y')),
    radius: Math.exp(along(Math.log(rMin), Math.log(rMax / rMin), track.size, at('size'))),
    // a circle: the start anywhere on it (uniform), then up to half a turn
    angle: 2 * Math.PI * track.angle.u + ANGLE_SPAN * track.angle.travel * at('angle'),
  };
}

/**
 * The object's state in each of `frames` frames of a clip of class `cls`. A negative class plays the
 * positive one backwards: its frame t is the positive frame `frames - 1 - t`.
 */
export function objectTrack(scene: Scene, cls: SampleClass, frames: number): ObjectState[] {
  const states: ObjectState[] = [];
  for (let t = 0; t < frames; t++) states.push(positiveState(scene, cls.motion, cls.direction > 0 ? t : frames - 1 - t, frames));
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

import { SAMPLE_CLASSES, sampleClass, timeReversedClass } from './classes';
import { renderBackground, renderClip, type RenderedClip } from './render';
import { drawScene, objectTrack, SHAPES, TEXTURES, type Scene } from './scene';

// Module constants, not globals, in the hot loops: jest's sandbox makes global lookups slow.
const { atan2 } = Math;

const W = 96;
const H = 72;
const FPS = 30;

function frameAt(clip: RenderedClip, t: number): Uint8Array {
  const n = clip.width * clip.height * 3;
  return clip.frames.subarray(t * n, (t + 1) * n);
}

function maskAt(clip: RenderedClip, t: number): Uint8Array {
  const n = clip.width * clip.height;
  return clip.mask!.subarray(t * n, (t + 1) * n);
}

/** Mask geometry: centroid, pixel count, orientation of the pixel cloud, and whether it touches the frame's edge. */
function geometry(clip: RenderedClip, t: number): { x: number; y: number; area: number; orientation: number; touchesEdge: boolean } {
  const { width, height } = clip;
  const m = maskAt(clip, t);
  let sx = 0;
  let sy = 0;
  let area = 0;
  let touchesEdge = false;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!m[y * width + x]) continue;
      sx += x + 0.5;
      sy += y + 0.5;
      area++;
      if (x === 0 || y === 0 || x === width - 1 || y === height - 1) touchesEdge = true;
    }
  }
  const [mx, my] = [sx / area, sy / area];
  let m20 = 0;
  let m02 = 0;
  let m11 = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!m[y * width + x]) continue;
      const [dx, dy] = [x + 0.5 - mx, y + 0.5 - my];
      m20 += dx * dx;
      m02 += dy * dy;
      m11 += dx * dy;
    }
  }
  return { x: mx, y: my, area, orientation: 0.5 * atan2(2 * m11, m20 - m02), touchesEdge };
}

/** Difference b - a on a circle of `period`, in [-period/2, period/2). */
function circularStep(a: number, b: number, period: number): number {
  return ((((b - a + period / 2) % period) + period) % period) - period / 2;
}

function withShape(scene: Scene, shape: Scene['object']['shape']): Scene {
  return { ...scene, object: { ...scene.object, shape } };
}

describe('renderClip', () => {
  it('returns [T, H, W, 3] uint8 frames, byte-identical for the same seed and different for another', () => {
    const a = renderClip({ cls: 'moving right', seed: 7, width: W, height: H, frames: 20, fps: FPS });
    const b = renderClip({ cls: 'moving right', seed: 7, width: W, height: H, frames: 20, fps: FPS });
    const c = renderClip({ cls: 'moving right', seed: 8, width: W, height: H, frames: 20, fps: FPS });
    expect(a.frames).toBeInstanceOf(Uint8Array);
    expect(a.frames.length).toBe(20 * H * W * 3);
    expect([a.length, a.height, a.width]).toEqual([20, H, W]);
    expect(Buffer.from(a.frames).equals(Buffer.from(b.frames))).toBe(true);
    expect(Buffer.from(a.frames).equals(Buffer.from(c.frames))).toBe(false);
    // Frames differ from each other (motion + per-frame noise) and use a real range of values.
    expect(Buffer.from(frameAt(a, 0)).equals(Buffer.from(frameAt(a, 1)))).toBe(false);
    expect(Math.max(...frameAt(a, 0)) - Math.min(...frameAt(a, 0))).toBeGreaterThan(60);
  });

  it('renders each negative class as the exact time reversal of its partner (all four pairs)', () => {
    const T = 31;
    for (const positive of SAMPLE_CLASSES.filter((c) => c.direction > 0)) {
      const negative = timeReversedClass(positive.name);
      expect(negative.motion).toBe(positive.motion);
      expect(negative.direction).toBe(-1);
      for (const seed of [1, 2, 3]) {
        const p = renderClip({ cls: positive, seed, width: W, height: H, frames: T, fps: FPS });
        const n = renderClip({ cls: negative, seed, width: W, height: H, frames: T, fps: FPS });
        for (let t = 0; t < T; t++) {
          expect(Buffer.from(frameAt(n, t)).equals(Buffer.from(frameAt(p, T - 1 - t)))).toBe(true);
        }
        // ... and is not simply the same clip: played forwards the two differ.
        expect(Buffer.from(frameAt(n, 0)).equals(Buffer.from(frameAt(p, 0)))).toBe(false);
      }
    }
  });

  it('moves the object the way its class says, across most of its range, always whole inside the frame', () => {
    const T = 72;
    for (const name of ['moving left', 'moving right', 'moving up', 'moving down']) {
      const cls = sampleClass(name);
      for (const seed of [11, 12, 13, 14]) {
        const clip = renderClip({ cls, seed, width: W, height: H, frames: T, fps: FPS, withMask: true });
        const g = Array.from({ length: T }, (_, t) => geometry(clip, t));
        const horizontal = cls.motion === 'translate-x';
        for (let t = 3; t < T; t += 3) {
          const step = horizontal ? g[t]!.x - g[t - 3]!.x : g[t]!.y - g[t - 3]!.y;
          expect(Math.sign(step)).toBe(cls.direction); // every 3-frame step goes the right way
        }
        const along = Math.abs(horizontal ? g[T - 1]!.x - g[0]!.x : g[T - 1]!.y - g[0]!.y);
        // the range is the frame less the largest object on both sides
        const range = (horizontal ? W : H) - 2 * (clip.scene.radiusRange[1] + 1);
        const travel = clip.scene.track[horizontal ? 'x' : 'y'].travel;
        expect(along).toBeGreaterThan((travel - 0.05) * range);
        expect(along).toBeLessThan((travel + 0.05) * range);
        expect(travel).toBeGreaterThanOrEqual(0.6);
        // the other coordinate stays put, the object keeps its size and never leaves the frame
        expect(Math.abs(horizontal ? g[T - 1]!.y - g[0]!.y : g[T - 1]!.x - g[0]!.x)).toBeLessThan(1);
        const areas = g.map((x) => x.area);
        expect(Math.min(...areas) / Math.max(...areas)).toBeGreaterThan(0.85);
        expect(g.some((x) => x.touchesEdge)).toBe(false);
      }
    }
  });

  it('grows and shrinks the object steadily, by a factor of 3^travel in radius', () => {
    const T = 72;
    for (const name of ['growing', 'shrinking']) {
      const cls = sampleClass(name);
      for (const seed of [21, 22, 23, 24]) {
        // 160x120 and 6-frame steps: the smallest objects still change by a good number of pixels
        const clip = renderClip({ cls, seed, width: 160, height: 120, frames: T, fps: FPS, withMask: true });
        const area = Array.from({ length: T }, (_, t) => geometry(clip, t).area);
        for (let t = 6; t < T; t += 6) expect(Math.sign(area[t]! - area[t - 6]!)).toBe(cls.direction);
        const radiusRatio = Math.sqrt(cls.direction > 0 ? area[T - 1]! / area[0]! : area[0]! / area[T - 1]!);
        expect(radiusRatio).toBeGreaterThan(0.9 * 3 ** clip.scene.track.size.travel);
        expect(radiusRatio).toBeLessThan(1.1 * 3 ** clip.scene.track.size.travel);
        // the centre stays put
        const [a, b] = [geometry(clip, 0), geometry(clip, T - 1)];
        expect(Math.abs(a.x - b.x) + Math.abs(a.y - b.y)).toBeLessThan(2);
      }
    }
  });

  it('turns the object clockwise (on screen, y down) or counterclockwise, by travel x half a turn', () => {
    const T = 60;
    for (const name of ['rotating clockwise', 'rotating counterclockwise']) {
      const cls = sampleClass(name);
      for (const seed of [31, 32, 33]) {
        // an ellipse shows its orientation in the mask's second moments
        const scene = withShape(drawScene(seed, W, H), 'ellipse');
        const clip = renderClip({ cls, scene, frames: T, fps: FPS, withMask: true });
        const o = Array.from({ length: T }, (_, t) => geometry(clip, t).orientation);
        let total = 0;
        for (let t = 3; t < T; t += 3) {
          const step = circularStep(o[t - 3]!, o[t]!, Math.PI);
          // atan2(y_down, x) grows clockwise on screen
          expect(Math.sign(step)).toBe(cls.direction);
          total += step;
        }
        const expected = scene.track.angle.travel * Math.PI * ((T - 1 - ((T - 1) % 3)) / (T - 1));
        expect(Math.abs(total)).toBeGreaterThan(0.85 * expected);
        expect(Math.abs(total)).toBeLessThan(1.15 * expected);
      }
    }
  });

  it('draws a visible object over a different background', () => {
    for (let seed = 40; seed < 56; seed++) {
      const clip = renderClip({ cls: seed % 8, seed, width: W, height: H, frames: 2, fps: FPS, withMask: true });
      const bg = renderBackground(clip.scene);
      const frame = frameAt(clip, 0);
      const mask = maskAt(clip, 0);
      let diff = 0;
      let n = 0;
      for (let i = 0; i < mask.length; i++) {
        if (!mask[i]) continue;
        for (let c = 0; c < 3; c++) diff += Math.abs(frame[i * 3 + c]! - bg[i * 3 + c]!);
        n++;
      }
      expect(n).toBeGreaterThan(clip.scene.radiusRange[0] ** 2); // the smallest triangle covers 1.3 r^2
      expect(diff / (3 * n)).toBeGreaterThan(25); // mean per-channel contrast of object pixels
    }
  });

  it('gives a frame at a random time the same distribution in every class (no single-frame cue)', () => {
    const T = 72;
    const scenes = Array.from({ length: 300 }, (_, i) => drawScene(1000 + i, W, H));
    const [rMin, rMax] = scenes[0]!.radiusRange;
    const coordinates = (cls: (typeof SAMPLE_CLASSES)[number]) => {
      const states = scenes.flatMap((scene) => objectTrack(scene, cls, T).filter((_, t) => t % 7 === 0));
      return {
        x: states.map((s) => s.x / W),
        y: states.map((s) => s.y / H),
        size: states.map((s) => Math.log(s.radius / rMin) / Math.log(rMax / rMin)),
        angle: states.map((s) => Math.cos(s.angle)),
      };
    };
    const quartiles = (v: number[]) => {
      const sorted = [...v].sort((a, b) => a - b);
      return [0.25, 0.5, 0.75].map((q) => sorted[Math.floor(q * (sorted.length - 1))]!);
    };
    const reference = coordinates(SAMPLE_CLASSES[0]!);
    for (const cls of SAMPLE_CLASSES) {
      const c = coordinates(cls);
      for (const key of ['x', 'y', 'size', 'angle'] as const) {
        quartiles(c[key]).forEach((q, i) => expect(Math.abs(q - quartiles(reference[key])[i]!)).toBeLessThan(0.06));
      }
    }
  });

  it('draws every shape and texture, and renders 160x120 frames in well under a few ms', () => {
    const shapes = new Set<string>();
    const textures = new Set<string>();
    for (let s = 0; s < 64; s++) {
      const scene = drawScene(s, 160, 120);
      shapes.add(scene.object.shape);
      textures.add(scene.object.texture);
    }
    expect([...shapes].sort()).toEqual([...SHAPES].sort());
    expect([...textures].sort()).toEqual([...TEXTURES].sort());
    renderClip({ cls: 0, seed: 1, width: 160, height: 120, frames: 10, fps: FPS }); // warm-up
    const t0 = performance.now();
    renderClip({ cls: 'rotating clockwise', seed: 2, width: 160, height: 120, frames: 100, fps: FPS });
    expect((performance.now() - t0) / 100).toBeLessThan(5);
  });

  it('rejects bad arguments', () => {
    expect(() => renderClip({ cls: 'dancing', seed: 1, width: W, height: H, frames: 5, fps: FPS })).toThrow(/unknown sample class/);
    expect(() => renderClip({ cls: 0, seed: 1, width: W, height: H, frames: 0, fps: FPS })).toThrow(RangeError);
    expect(() => renderClip({ cls: 0, frames: 5, fps: FPS })).toThrow(TypeError);
  });
});

/**
 * What the page feeds the exported graph model, from the metadata `pvnas export` writes into model.json
 * (`userDefinedMetadata.pvnas`): the frames, window and crop it was trained with, the class names, and the
 * single view of `pvnas evaluate` (the centre crop of the middle of the 10 test clips).
 */
import { centreClip, DEFAULT_TEST_CLIPS, softmax } from '@pvnas/base';
import { sampleTestIndices, testTransforms, type FrameBatch } from '@pvnas/ingest/browser';

export interface ModelInput {
  frames: number;
  size: number;
  window: number;
  fps: number;
  mean: number;
  std: number;
  classes: string[];
}

/** The model's input settings from its metadata; errors say which field is missing. */
export function modelInput(metadata: unknown): ModelInput {
  const m = (metadata as { pvnas?: { input?: Record<string, unknown>; classes?: unknown } } | undefined)?.pvnas;
  const i = m?.input ?? {};
  const num = (k: string, fallback?: number): number => {
    const v = i[k] ?? fallback;
    if (typeof v !== 'number' || !Number.isFinite(v))
      throw new Error(`model.json: userDefinedMetadata.pvnas.input.${k} is missing; export the model again with this version of pvnas`);
    return v;
  };
  const classes = m?.classes;
  if (!Array.isArray(classes) || classes.some((c) => typeof c !== 'string'))
    throw new Error(
      'model.json: userDefinedMetadata.pvnas.classes (the class names) is missing; export the model again with `pvnas view` or `pvnas export --classes`',
    );
  return {
    frames: num('frames'),
    size: num('size'),
    window: num('window', 64),
    fps: num('fps', 30),
    mean: num('mean'),
    std: num('std'),
    classes: classes as string[],
  };
}

/** The frame numbers (at `fps`) of the single view's clip of a video `frameCount` frames long. */
export function singleViewIndices(frameCount: number, m: ModelInput): number[] {
  const clips = sampleTestIndices(frameCount, m.fps, DEFAULT_TEST_CLIPS, { numFrames: m.frames, windowFrames: m.window, targetFps: m.fps });
  return clips[centreClip(DEFAULT_TEST_CLIPS)]!;
}

/** The centre crop of `frames`, short side scaled to the crop, normalised: `[T, size, size, 3]` float32. */
export function centreView(frames: FrameBatch, m: ModelInput): Float32Array {
  return testTransforms(frames, { crop: m.size, mean: m.mean, std: m.std })[1].data;
}

export interface Ranked {
  index: number;
  name: string;
  p: number;
}

/** Softmax of logits (stable) and the `k` most probable classes. */
export function topK(logits: ArrayLike<number>, classes: readonly string[], k = 5): { probabilities: number[]; top: Ranked[] } {
  const probabilities = Array.from(softmax(logits));
  const top = probabilities
    .map((p, index) => ({ index, name: classes[index] ?? `class ${index}`, p }))
    .sort((a, b) => b.p - a.p || a.index - b.index)
    .slice(0, Math.min(k, probabilities.length));
  return { probabilities, top };
}

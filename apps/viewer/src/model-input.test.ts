import { sampleTestIndices, testTransforms } from '@pvnas/ingest';
import { centreView, modelInput, singleViewIndices, topK } from './model-input';
import { centreViewIndex, clipAndCrop, CENTRE_CROP } from '@pvnas/base';

const meta = {
  pvnas: { input: { layout: 'NTHWC', frames: 8, size: 32, window: 64, fps: 30, mean: 0.45, std: 0.225 }, classes: ['a', 'b', 'c', 'd', 'e', 'f'] },
};

describe('viewer model input', () => {
  it('reads the exported metadata and names what is missing', () => {
    expect(modelInput(meta)).toEqual({ frames: 8, size: 32, window: 64, fps: 30, mean: 0.45, std: 0.225, classes: ['a', 'b', 'c', 'd', 'e', 'f'] });
    expect(() => modelInput({ pvnas: { input: meta.pvnas.input } })).toThrow(/pvnas\.classes/);
    expect(() => modelInput({ pvnas: { ...meta.pvnas, input: { ...meta.pvnas.input, size: undefined } } })).toThrow(/input\.size is missing/);
  });

  it('takes the single view of pvnas evaluate: the middle of the 10 test clips, centre crop', () => {
    const { clip, crop } = clipAndCrop(centreViewIndex(10));
    expect(crop).toBe(CENTRE_CROP);
    for (const frames of [40, 75, 78, 300])
      expect(singleViewIndices(frames, modelInput(meta))).toEqual(sampleTestIndices(frames, 30, 10, { numFrames: 8, windowFrames: 64, targetFps: 30 })[clip]);
    const batch = { data: Uint8Array.from({ length: 8 * 48 * 64 * 3 }, (_, i) => (i * 7) % 256), frames: 8, height: 48, width: 64 };
    expect(centreView(batch, modelInput(meta))).toEqual(testTransforms(batch, { crop: 32 })[CENTRE_CROP].data);
  });

  it('ranks classes by softmax probability', () => {
    const { probabilities, top } = topK([1, 3, 2, 0, -1, 3], meta.pvnas.classes);
    expect(probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(top.map((t) => t.name)).toEqual(['b', 'f', 'c', 'a', 'd']);
    expect(top[0]!.p).toBeCloseTo(Math.exp(3) / [1, 3, 2, 0, -1, 3].reduce((s, v) => s + Math.exp(v), 0), 12);
    expect(topK([0, 1], ['x', 'y']).top).toHaveLength(2);
  });
});

/** The bundled sample dataset: deterministic synthetic motion clips in Kinetics and SSv2 layouts. */
export { SAMPLE_CLASSES, sampleClass, timeReversedClass, type MotionKind, type SampleClass } from './classes';
export {
  BACKGROUNDS,
  SHAPES,
  TEXTURES,
  describeObject,
  drawScene,
  objectTrack,
  positiveState,
  type BackgroundKind,
  type ObjectState,
  type Rgb,
  type Scene,
  type ShapeKind,
  type TextureKind,
} from './scene';
export { renderBackground, renderClip, type RenderClipOptions, type RenderedClip } from './render';
export { encodeFrames, encoderOptions, type EncodeOptions, type SampleVideoFormat } from './encode';
export { DEFAULT_SAMPLE_OPTIONS, DEFAULT_SAMPLE_ROOT, SAMPLE_LAYOUTS, resolveSampleOptions, type SampleLayout, type SampleOptions } from './options';
export {
  KINETICS_HEADER,
  KINETICS_TRAIN_CSV,
  KINETICS_VAL_CSV,
  SSV2_LABELS,
  SSV2_TRAIN,
  SSV2_VALIDATION,
  SSV2_VIDEO_DIR,
  fillTemplate,
  kineticsCsv,
  manifestFiles,
  planSampleDataset,
  ssv2Entries,
  ssv2Labels,
  stripBrackets,
  type PlannedClip,
  type SampleSplit,
  type Ssv2Entry,
} from './plan';
export {
  SAMPLE_FORMAT,
  SAMPLE_GENERATOR_VERSION,
  SAMPLE_MARKER,
  ensureSampleDataset,
  generateSampleDataset,
  readSampleMarker,
  sampleDatasetIsCurrent,
  type GenerateOptions,
  type SampleMarker,
} from './generate';

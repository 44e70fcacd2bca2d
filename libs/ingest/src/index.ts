/** @pvnas/ingest: video manifests, decode, sampling, transforms, frame cache and the clip loader. */
export * from './errors';
export * from './manifest/index';
export { mergeManifests } from './manifest/merge';
export * from './video/types';
export { FFMPEG_PATH, FfmpegError, ffmpegToBuffer, ffmpegToFile } from './video/ffmpeg';
export { probeVideo } from './video/probe';
export { seekSeconds, scaleChain, selectByPts, selectByNumber } from './video/frame-select';
export { decodeFrames, decodeAll, decodeStream } from './video/decode';
export * from './sampling/temporal';
export * from './sampling/shard';
export * from './transforms/index';
export { FrameCache, type CacheSettings } from './cache/frame-cache';
export { decodeJpeg, encodeJpeg, jpegDecoderStatus, type RgbImage, type JpegDecoderStatus } from './cache/jpeg';
export { CACHE_FORMAT, type CacheHeader, type CachedVideo } from './cache/schema';
export { buildCache, REPORT_FILE, type BuildOptions, type BuildReport, type BuildProgress } from './cache/build';
export { ClipLoader, type ClipLoaderOptions, type ClipBatch } from './pool/clip-loader';
export { createWorkerPool, defaultWorkerCount, type Piscina } from './pool/worker-pool';
export type { ClipTask, TrainClipTask, TestClipTask, ClipSource } from './pool/clip-task';

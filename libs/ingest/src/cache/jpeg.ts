/**
 * JPEG for the frame cache. 4:2:0 chroma as most video is; quality from the cache header.
 *
 * Encoding goes through sharp (libvips + libjpeg-turbo): measured ~10x faster than a pure-JS codec, and it is
 * off the hot path (once per frame, at build time).
 *
 * Decoding is the cache path's hot loop (8 frames a clip), and there sharp's per-call overhead dominates: ~0.6-1 ms
 * a frame whatever its size (a libuv thread hop, libvips' object set-up, locks, allocations; a 16x16 JPEG costs as
 * much as a 170x128 one). So frames are decoded synchronously in the calling thread by libjpeg-turbo compiled to
 * WebAssembly (`@cornerstonejs/codec-libjpeg-turbo-8bit`, a plain npm package: no native build, no download at
 * install): ~0.17-0.19 ms CPU a 170x128 q90 frame against sharp's ~0.6-0.7 ms, with pixels equal to sharp's
 * (both run libjpeg's default accurate integer IDCT and fancy upsampling; checked on real cache frames by
 * jpeg.test.ts). sharp remains the fallback: when the WebAssembly module cannot load, when a JPEG is anything but
 * 8-bit 3-component, and when the fast decoder rejects one (sharp then decodes it or throws its usual error).
 * `PVNAS_JPEG_DECODER=sharp` forces the fallback (for comparisons).
 */
import sharp from 'sharp';

// One libvips thread per call: parallelism comes from our worker pool, not from libvips inside a call.
sharp.concurrency(1);
sharp.cache(false);

export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

export async function encodeJpeg(rgb: Uint8Array, width: number, height: number, quality: number): Promise<Buffer> {
  return sharp(rgb, { raw: { width, height, channels: 3 } })
    .jpeg({ quality, chromaSubsampling: '4:2:0', mozjpeg: false })
    .toBuffer();
}

/** The decoder behind `decodeJpeg`: sharp's libvips (async, thread hop) — the fallback, and the reference for tests. */
export async function decodeJpegSharp(jpeg: Uint8Array): Promise<RgbImage> {
  const { data, info } = await sharp(jpeg).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`expected an RGB JPEG, got ${info.channels} channels`);
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height };
}

// --- libjpeg-turbo in WebAssembly (the package's embind API; it ships no types) ---

interface WasmFrameInfo {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
}

interface WasmJpegDecoder {
  /** A view of the module's input buffer, resized to `bytes`; valid until the next call into the module. */
  getEncodedBuffer(bytes: number): Uint8Array;
  /** Decodes the input buffer to interleaved samples (RGB for a colour JPEG); throws on a bad stream. */
  decode(): void;
  getFrameInfo(): WasmFrameInfo;
  /** A view of the decoded samples in the module's memory; valid until the next call into the module. */
  getDecodedBuffer(): Uint8Array;
}

interface WasmModule {
  JPEGDecoder: new () => WasmJpegDecoder;
}

type WasmFactory = (overrides?: Record<string, unknown>) => Promise<WasmModule>;

/** Which decoder `decodeJpeg` uses in this thread, and why not the fast one when it doesn't. */
export interface JpegDecoderStatus {
  decoder: 'wasm-libjpeg-turbo' | 'sharp';
  reason?: string;
}

let loading: Promise<WasmJpegDecoder | null> | undefined;
let wasm: WasmJpegDecoder | null | undefined;
let fallbackReason: string | undefined;

function loadWasm(): Promise<WasmJpegDecoder | null> {
  if (!loading) {
    loading = (async () => {
      if (process.env.PVNAS_JPEG_DECODER === 'sharp') {
        fallbackReason = 'PVNAS_JPEG_DECODER=sharp';
        return null;
      }
      try {
        const factory = require('@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs') as WasmFactory;
        // libjpeg's warnings go to printErr; a bad stream is reported by a throw, which falls back to sharp.
        const mod = await factory({ print: () => {}, printErr: () => {} });
        return new mod.JPEGDecoder();
      } catch (err) {
        fallbackReason = `WebAssembly libjpeg-turbo did not load: ${(err as Error)?.message ?? String(err)}`;
        return null;
      }
    })().then((d) => (wasm = d));
  }
  return loading;
}

/** Loads the fast decoder if it is not yet (once per thread) and says which decoder `decodeJpeg` uses. */
export async function jpegDecoderStatus(): Promise<JpegDecoderStatus> {
  const d = await loadWasm();
  return d ? { decoder: 'wasm-libjpeg-turbo' } : { decoder: 'sharp', reason: fallbackReason };
}

/**
 * The fast decoder, synchronous: undefined when it is not loaded (call `jpegDecoderStatus` first), or when it cannot
 * or will not decode this JPEG (not 8-bit 3-component, or a stream it rejects); the caller then uses sharp.
 */
export function decodeJpegWasmSync(jpeg: Uint8Array): RgbImage | undefined {
  const d = wasm;
  if (!d) return undefined;
  try {
    d.getEncodedBuffer(jpeg.byteLength).set(jpeg);
    d.decode();
    const { width, height, componentCount, bitsPerSample } = d.getFrameInfo();
    if (componentCount !== 3 || bitsPerSample !== 8) return undefined;
    const out = d.getDecodedBuffer();
    if (out.byteLength !== width * height * 3) return undefined;
    return { data: out.slice(), width, height };
  } catch {
    // libjpeg's errors arrive as a C++ exception pointer (a number), with no message: sharp says what is wrong.
    return undefined;
  }
}

export async function decodeJpeg(jpeg: Uint8Array): Promise<RgbImage> {
  if (wasm === undefined) await loadWasm();
  return decodeJpegWasmSync(jpeg) ?? decodeJpegSharp(jpeg);
}

/**
 * JPEG for the frame cache. 4:2:0 chroma as most video is; quality from the cache header.
 *
 * Encoding goes through sharp (libvips + libjpeg-turbo): measured ~10x faster than a pure-JS codec, and it is
 * off the hot path (once per frame, at build time).
 *
 * Decoding is the cache path's hot loop (8 frames a clip), and there sharp's per-call overhead dominates: ~0.6-1 ms
 * a frame whatever its size (a libuv thread hop, libvips' object set-up, locks, allocations; a 16x16 JPEG costs as
 * much as a 170x128 one). So `decodeJpeg` decodes synchronously in the calling thread with the first of:
 *  1. `native`: the optional addon libs/ingest/native (`pvnas_turbojpeg`, TurboJPEG API of the system's
 *     libjpeg-turbo with its SIMD code), built by `npm install` when libturbojpeg is installed (Debian:
 *     `apt-get install libturbojpeg0-dev`): ~0.06 ms CPU a 170x128 q90 frame;
 *  2. `wasm`: libjpeg-turbo compiled to WebAssembly (`@cornerstonejs/codec-libjpeg-turbo-8bit`, a plain npm
 *     dependency, nothing to build): ~0.16-0.19 ms once V8 has tiered the module up (the first few hundred
 *     frames of a thread run slower);
 *  3. sharp: ~0.6-0.7 ms (and the reference).
 * All three give the same pixels (libjpeg's defaults: accurate integer IDCT, fancy upsampling; checked on real
 * cache frames by jpeg.test.ts). sharp also takes whatever the fast decoders leave: a JPEG that is not 3-component
 * colour, and one they reject (truncated, corrupt; sharp then throws its usual error).
 * `PVNAS_JPEG_DECODER=wasm` or `=sharp` skips the faster ones (for comparisons); `PVNAS_TURBOJPEG_ADDON` points
 * at another build of the addon.
 */
import * as path from 'node:path';
import type SharpModule from 'sharp';
import { loadOptionalAddon, type AddonLoad } from '@pvnas/base/node';

// One libvips thread per call: parallelism comes from our worker pool, not from libvips inside a call.
// Loaded on first use: a worker that encodes and decodes with the addon never pays its ~50 ms load.
let sharpModule: typeof SharpModule | undefined;
function sharp(...args: Parameters<typeof SharpModule>): ReturnType<typeof SharpModule> {
  if (!sharpModule) {
    sharpModule = require('sharp') as typeof SharpModule; // eslint-disable-line @typescript-eslint/no-require-imports
    sharpModule.concurrency(1);
    sharpModule.cache(false);
  }
  return sharpModule(...args);
}

export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/**
 * A baseline JPEG (4:2:0) of packed RGB (or BGR, `order`): the native addon's libjpeg-turbo when it is built (~0.1 ms
 * a small frame, in the calling thread), else sharp (~0.5 ms and a thread hop a call; the same encoder underneath).
 */
export async function encodeJpeg(rgb: Uint8Array, width: number, height: number, quality: number, order: 'rgb' | 'bgr' = 'rgb'): Promise<Buffer> {
  if (process.env.PVNAS_JPEG_ENCODER !== 'sharp' && loadNativeJpeg().ok)
    return (nativeAddon() as { addon: TurboJpegAddon }).addon.encode(rgb, width, height, quality, order === 'bgr');
  return encodeJpegSharp(order === 'bgr' ? swapRedBlue(rgb) : rgb, width, height, quality);
}

/** A copy of packed 3-byte pixels with the first and third bytes swapped (BGR <-> RGB). */
function swapRedBlue(px: Uint8Array): Uint8Array {
  const out = new Uint8Array(px.length);
  for (let i = 0; i + 2 < px.length; i += 3) {
    out[i] = px[i + 2];
    out[i + 1] = px[i + 1];
    out[i + 2] = px[i];
  }
  return out;
}

/** sharp's encoder: `encodeJpeg`'s fallback, and the reference in tests. */
export async function encodeJpegSharp(rgb: Uint8Array, width: number, height: number, quality: number): Promise<Buffer> {
  return sharp(rgb, { raw: { width, height, channels: 3 } })
    .jpeg({ quality, chromaSubsampling: '4:2:0', mozjpeg: false })
    .toBuffer();
}

/** sharp's libvips (async, a thread hop per call): `decodeJpeg`'s last fallback, and the reference in tests. */
export async function decodeJpegSharp(jpeg: Uint8Array): Promise<RgbImage> {
  const { data, info } = await sharp(jpeg).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`expected an RGB JPEG, got ${info.channels} channels`);
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height };
}

// --- tier 1: the native addon (libs/ingest/native/src/turbojpeg.c) ---

interface TurboJpegAddon {
  /** Packed RGB; undefined for a JPEG that is not 3-component colour; throws on any libjpeg error or warning. */
  decode(jpeg: Uint8Array): { data: Buffer; width: number; height: number } | undefined;
  /** Baseline JPEG, 4:2:0, accurate DCT, of packed RGB `width x height x 3` (BGR with `bgr`). */
  encode(rgb: Uint8Array, width: number, height: number, quality: number, bgr?: boolean): Buffer;
}

export type NativeJpegLoad = { ok: true; file: string } | { ok: false; reason: string };

/** `libs/ingest/native/build/Release/pvnas_turbojpeg.node`, or `PVNAS_TURBOJPEG_ADDON`. */
export function turboJpegAddonPath(): string {
  return process.env.PVNAS_TURBOJPEG_ADDON || path.resolve(__dirname, '..', '..', 'native', 'build', 'Release', 'pvnas_turbojpeg.node');
}

const nativeAddon = (): AddonLoad<TurboJpegAddon> => loadOptionalAddon<TurboJpegAddon>(turboJpegAddonPath(), 'apt-get install libturbojpeg0-dev');

/** Loads the native addon once per thread; never throws, says why it is not there. */
export function loadNativeJpeg(): NativeJpegLoad {
  const load = nativeAddon();
  return load.ok ? { ok: true, file: load.file } : load;
}

/** The native decoder: undefined when the addon is absent, or leaves this JPEG to sharp (see TurboJpegAddon). */
export function decodeJpegNativeSync(jpeg: Uint8Array): RgbImage | undefined {
  const load = nativeAddon();
  if (!load.ok) return undefined;
  try {
    const r = load.addon.decode(jpeg);
    if (!r) return undefined;
    return { data: new Uint8Array(r.data.buffer, r.data.byteOffset, r.data.byteLength), width: r.width, height: r.height };
  } catch {
    return undefined;
  }
}

// --- tier 2: libjpeg-turbo in WebAssembly (the package's embind API; it ships no types) ---

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

export type WasmJpegLoad = { ok: true } | { ok: false; reason: string };

let wasmLoading: Promise<WasmJpegLoad> | undefined;
let wasm: WasmJpegDecoder | undefined;

/** Instantiates the WebAssembly decoder once per thread; never rejects, says why it is not there. */
export function loadWasmJpeg(): Promise<WasmJpegLoad> {
  wasmLoading ??= (async (): Promise<WasmJpegLoad> => {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded lazily, only when this tier is used
      const factory = require('@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs') as WasmFactory;
      // libjpeg's warnings go to printErr; a bad stream is reported by a throw, which falls back to sharp.
      const mod = await factory({ print: () => {}, printErr: () => {} });
      wasm = new mod.JPEGDecoder();
      return { ok: true };
    } catch (err) {
      return { ok: false, reason: `WebAssembly libjpeg-turbo did not load: ${(err as Error)?.message ?? String(err)}` };
    }
  })();
  return wasmLoading;
}

/**
 * The WebAssembly decoder: undefined when it is not loaded (await `loadWasmJpeg` first), or when it leaves this
 * JPEG to sharp (not 8-bit 3-component, or a stream it rejects).
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

// --- the choice ---

export type JpegDecoderName = 'native' | 'wasm' | 'sharp';

/** Which decoder `decodeJpeg` uses in this thread, and why each faster one is not in use. */
export interface JpegDecoderStatus {
  decoder: JpegDecoderName;
  skipped: string[];
}

let chosen: Promise<JpegDecoderStatus> | undefined;
let fast: ((jpeg: Uint8Array) => RgbImage | undefined) | null | undefined;

function choose(): Promise<JpegDecoderStatus> {
  chosen ??= (async (): Promise<JpegDecoderStatus> => {
    const want = process.env.PVNAS_JPEG_DECODER;
    const skipped: string[] = [];
    if (want === 'wasm' || want === 'sharp') skipped.push(`native: PVNAS_JPEG_DECODER=${want}`);
    else {
      const n = loadNativeJpeg();
      if (n.ok) {
        fast = decodeJpegNativeSync;
        return { decoder: 'native', skipped };
      }
      skipped.push(`native: ${n.reason}`);
    }
    if (want === 'sharp') skipped.push('wasm: PVNAS_JPEG_DECODER=sharp');
    else {
      const w = await loadWasmJpeg();
      if (w.ok) {
        fast = decodeJpegWasmSync;
        return { decoder: 'wasm', skipped };
      }
      skipped.push(`wasm: ${w.reason}`);
    }
    fast = null;
    return { decoder: 'sharp', skipped };
  })();
  return chosen;
}

/** Picks the decoder if not yet (once per thread: loads the addon or instantiates the WebAssembly module). */
export function jpegDecoderStatus(): Promise<JpegDecoderStatus> {
  return choose();
}

/** Decodes a JPEG to packed RGB with the fastest decoder available (see the top of this file). */
export async function decodeJpeg(jpeg: Uint8Array): Promise<RgbImage> {
  if (fast === undefined) await choose();
  return fast?.(jpeg) ?? decodeJpegSharp(jpeg);
}

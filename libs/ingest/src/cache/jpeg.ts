/**
 * JPEG for the frame cache, through sharp (libvips + mozjpeg/libjpeg-turbo): measured ~10x faster than a
 * pure-JS codec, and it runs inside worker threads. 4:2:0 chroma as most video is; quality from the cache header.
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

export async function decodeJpeg(jpeg: Uint8Array): Promise<RgbImage> {
  const { data, info } = await sharp(jpeg).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`expected an RGB JPEG, got ${info.channels} channels`);
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height };
}

/**
 * Frames of a video file in the browser: an HTMLVideoElement seeked to the middle of each wanted frame's
 * interval on the `fps` timeline (frame i shows from i/fps to (i+1)/fps), drawn to a canvas at its native size
 * once the drawn frame has settled, read back as RGB bytes.
 */
import type { FrameBatch } from '@pvnas/ingest/browser';

export function loadVideo(url: string): Promise<HTMLVideoElement> {
  const video = document.createElement('video');
  video.muted = true;
  video.preload = 'auto';
  video.playsInline = true;
  return new Promise((resolve, reject) => {
    video.addEventListener('loadeddata', () => resolve(video), { once: true });
    video.addEventListener(
      'error',
      () => reject(new Error(`the browser cannot decode this video (${video.error?.message || `media error ${video.error?.code}`})`)),
      { once: true },
    );
    video.src = url;
  });
}

function seek(video: HTMLVideoElement, time: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (): void => {
      video.removeEventListener('error', fail);
      resolve();
    };
    const fail = (): void => reject(new Error(`seeking to ${time.toFixed(3)} s failed`));
    video.addEventListener('seeked', done, { once: true });
    video.addEventListener('error', fail, { once: true });
    video.currentTime = time;
  });
}

/** The number of frames of `video` on the `fps` timeline. */
export const frameCount = (video: HTMLVideoElement, fps: number): number => Math.max(1, Math.round(video.duration * fps));

const nextAnimationFrame = (): Promise<void> => new Promise((resolve) => requestAnimationFrame(() => resolve()));

/**
 * The RGBA pixels of the frame `video` shows after a seek. 'seeked' can fire before the new frame is painted
 * (seen under load: one video in 128 read a stale frame), so it draws again on the next animation frames
 * until two draws agree.
 */
async function settledPixels(video: HTMLVideoElement, ctx: CanvasRenderingContext2D, width: number, height: number): Promise<Uint8ClampedArray> {
  const draw = (): Uint8ClampedArray => {
    ctx.drawImage(video, 0, 0, width, height);
    return ctx.getImageData(0, 0, width, height).data;
  };
  let before = draw();
  for (let attempt = 0; attempt < 20; attempt++) {
    await nextAnimationFrame();
    const now = draw();
    if (video.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA && now.every((v, i) => v === before[i])) return now;
    before = now;
  }
  return before;
}

export async function grabFrames(video: HTMLVideoElement, indices: readonly number[], fps: number): Promise<FrameBatch> {
  const width = video.videoWidth;
  const height = video.videoHeight;
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('no 2D canvas');
  const data = new Uint8Array(indices.length * width * height * 3);
  for (const [k, i] of indices.entries()) {
    await seek(video, Math.min(video.duration, (i + 0.5) / fps));
    const rgba = await settledPixels(video, ctx, width, height);
    const base = k * width * height * 3;
    for (let p = 0, q = 0; p < rgba.length; p += 4, q += 3) {
      data[base + q] = rgba[p]!;
      data[base + q + 1] = rgba[p + 1]!;
      data[base + q + 2] = rgba[p + 2]!;
    }
  }
  return { data, frames: indices.length, height, width };
}

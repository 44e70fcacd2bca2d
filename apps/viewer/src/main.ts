/**
 * The viewer page: loads `model/model.json` (a `pvnas export` graph model) on tfjs's webgl backend, else wasm
 * (`?backend=wasm|webgl` chooses), and classifies each chosen video file with the single view of `pvnas
 * evaluate`. Results are shown and kept in `window.pvnasResults` (for scripts and tests).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgl';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter';
import { centreView, modelInput, singleViewIndices, topK, type ModelInput, type Ranked } from './model-input';
import { frameCount, grabFrames, loadVideo } from './video-frames';

export interface VideoResult {
  name: string;
  frames?: number[];
  top?: Ranked[];
  probabilities?: number[];
  ms?: number;
  error?: string;
}

declare global {
  interface Window {
    pvnasResults: VideoResult[];
    pvnasReady: Promise<{ backend: string; classes: number }>;
  }
}

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

async function chooseBackend(): Promise<string> {
  setWasmPaths('./');
  const wanted = new URLSearchParams(location.search).get('backend');
  for (const name of wanted ? [wanted] : ['webgl', 'wasm']) {
    try {
      if (await tf.setBackend(name)) return name;
    } catch {
      // try the next one
    }
  }
  throw new Error(`no tfjs backend of ${wanted ?? 'webgl, wasm'} could start`);
}

async function classify(file: File, model: GraphModel, m: ModelInput): Promise<VideoResult> {
  const url = URL.createObjectURL(file);
  try {
    const t0 = performance.now();
    const video = await loadVideo(url);
    const frames = singleViewIndices(frameCount(video, m.fps), m);
    const view = centreView(await grabFrames(video, frames, m.fps), m);
    const logits = tf.tidy(() => (model.execute(tf.tensor5d(view, [1, m.frames, m.size, m.size, 3])) as tf.Tensor).dataSync());
    const { probabilities, top } = topK(logits, m.classes);
    return { name: file.name, frames, top, probabilities, ms: performance.now() - t0 };
  } catch (e) {
    return { name: file.name, error: (e as Error).message };
  } finally {
    URL.revokeObjectURL(url);
  }
}

function show(r: VideoResult): void {
  const row = document.createElement('tr');
  const cell = (html: string | Node): HTMLTableCellElement => {
    const td = document.createElement('td');
    if (typeof html === 'string') td.textContent = html;
    else td.append(html);
    return td;
  };
  const list = document.createElement('div');
  if (r.error) list.className = 'error';
  if (r.error) list.textContent = r.error;
  for (const t of r.top ?? []) {
    const line = document.createElement('div');
    const bar = document.createElement('span');
    bar.className = 'bar';
    bar.style.width = `${Math.round(120 * t.p)}px`;
    line.append(bar, `${t.name} ${(100 * t.p).toFixed(1)}%`);
    list.append(line);
  }
  row.append(cell(r.name), cell(list), cell(r.ms === undefined ? '' : `${r.ms.toFixed(0)} ms`));
  row.dataset.video = r.name;
  $('results').append(row);
}

async function start(): Promise<{ backend: string; classes: number }> {
  const backend = await chooseBackend();
  const model = await loadGraphModel('model/model.json');
  const m = modelInput(model.metadata);
  $('status').textContent = `model: ${m.classes.length} classes, ${m.frames} frames of ${m.size}x${m.size}; backend ${backend}. Choose video files.`;
  const input = $<HTMLInputElement>('videos');
  input.disabled = false;
  input.addEventListener('change', async () => {
    const files = Array.from(input.files ?? []);
    input.disabled = true;
    for (const [k, file] of files.entries()) {
      $('status').textContent = `classifying ${k + 1}/${files.length}: ${file.name}`;
      const r = await classify(file, model, m);
      window.pvnasResults.push(r);
      show(r);
    }
    $('status').textContent = `done: ${files.length} video(s); backend ${backend}`;
    $('status').dataset.done = String(window.pvnasResults.length);
    input.disabled = false;
  });
  return { backend, classes: m.classes.length };
}

window.pvnasResults = [];
window.pvnasReady = start();
window.pvnasReady.catch((e: Error) => {
  $('status').textContent = `error: ${e.message}`;
  $('status').className = 'error';
});

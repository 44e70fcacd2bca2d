/**
 * Training checkpoints: a folder `<root>/<label>/` with `checkpoint.json` (progress and the caller's
 * state, zod-checked) and `tensors.bin` (every named tensor in tfjs's binary weights layout), and
 * `<root>/latest.json` naming the newest one.
 *
 * Atomic: a checkpoint is written into a temporary folder and renamed into place, then `latest.json` is
 * replaced by rename; a kill at any moment leaves the previous checkpoint and pointer intact. The last
 * `keep` checkpoints are kept. A state with a non-finite value is refused, so a diverging run never
 * overwrites its last good checkpoint.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { readJsonFile } from '@pvnas/base/node';

export const CHECKPOINT_FORMAT = 'pvnas-checkpoint/1';

export const progressSchema = z.object({
  /** Epoch in progress (0-based) and items of it consumed (the loader cursor); cursor 0 = its start. */
  epoch: z.number().int().min(0),
  cursor: z.number().int().min(0),
  /** Optimisation steps done since the run began. */
  step: z.number().int().min(0),
});
export type Progress = z.infer<typeof progressSchema>;

const specSchema = z.object({ name: z.string(), shape: z.array(z.number().int().min(0)), dtype: z.enum(['float32', 'int32']) });

const checkpointSchema = z.object({
  format: z.literal(CHECKPOINT_FORMAT),
  label: z.string(),
  progress: progressSchema,
  /** Whatever else the caller needs to continue (phase, optimiser step counts, config digest...). */
  state: z.record(z.string(), z.unknown()),
  tensors: z.array(specSchema),
  time: z.string(),
});
export type CheckpointInfo = Omit<z.infer<typeof checkpointSchema>, 'tensors'>;

const latestSchema = z.object({ label: z.string() });

export class NonFiniteStateError extends Error {
  constructor(readonly tensor: string) {
    super(`tensor ${tensor} holds NaN or Inf: the checkpoint was not written (the last good one is kept)`);
  }
}

function fsyncDir(dir: string): void {
  try {
    const fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
    fs.closeSync(fd);
  } catch {
    // some file systems refuse fsync on a directory; rename is still atomic there
  }
}

function writeSynced(file: string, data: string | Uint8Array): void {
  const fd = fs.openSync(file, 'w');
  fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
  fs.fsyncSync(fd);
  fs.closeSync(fd);
}

/** Scans the encoded values once (every spec is 4 bytes a value); throws naming the first non-finite tensor. */
function checkFinite(data: ArrayBuffer, specs: tf.io.WeightsManifestEntry[]): void {
  let offset = 0;
  for (const s of specs) {
    const n = s.shape.reduce((a, b) => a * b, 1);
    if (s.dtype === 'float32') {
      const values = new Float32Array(data, offset, n);
      for (let i = 0; i < n; i++) if (!Number.isFinite(values[i])) throw new NonFiniteStateError(s.name);
    }
    offset += 4 * n;
  }
}

export async function saveCheckpoint(
  root: string,
  label: string,
  progress: Progress,
  state: Record<string, unknown>,
  tensors: Record<string, tf.Tensor>,
  keep = 2,
): Promise<string> {
  const { data, specs } = await tf.io.encodeWeights(tensors);
  checkFinite(data as ArrayBuffer, specs);
  const info = checkpointSchema.parse({ format: CHECKPOINT_FORMAT, label, progress, state, tensors: specs, time: new Date().toISOString() });
  fs.mkdirSync(root, { recursive: true });
  const tmp = path.join(root, `.tmp-${label}-${process.pid}`);
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp);
  writeSynced(path.join(tmp, 'tensors.bin'), new Uint8Array(data as ArrayBuffer));
  writeSynced(path.join(tmp, 'checkpoint.json'), JSON.stringify(info) + '\n');
  const dest = path.join(root, label);
  fs.rmSync(dest, { recursive: true, force: true });
  fs.renameSync(tmp, dest);
  const latestTmp = path.join(root, `.latest-${process.pid}.json`);
  writeSynced(latestTmp, JSON.stringify({ label }) + '\n');
  fs.renameSync(latestTmp, path.join(root, 'latest.json'));
  fsyncDir(root);
  prune(root, label, keep);
  return dest;
}

/** Removes all but the newest `keep` checkpoints (by step) and stale temp folders. */
function prune(root: string, latest: string, keep: number): void {
  const entries = fs.readdirSync(root, { withFileTypes: true }).filter((e) => e.isDirectory());
  for (const e of entries) if (e.name.startsWith('.tmp-')) fs.rmSync(path.join(root, e.name), { recursive: true, force: true });
  const done = entries
    .filter((e) => !e.name.startsWith('.tmp-') && fs.existsSync(path.join(root, e.name, 'checkpoint.json')))
    .map((e) => ({ name: e.name, step: stepOf(path.join(root, e.name, 'checkpoint.json')) }))
    .sort((a, b) => b.step - a.step);
  for (const old of done.slice(keep)) if (old.name !== latest) fs.rmSync(path.join(root, old.name), { recursive: true, force: true });
}

function stepOf(file: string): number {
  const r = checkpointSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
  return r.success ? r.data.progress.step : -1;
}

/** The latest checkpoint under `root`, or undefined when there is none. */
export function latestCheckpoint(root: string): string | undefined {
  const file = path.join(root, 'latest.json');
  if (!fs.existsSync(file)) return undefined;
  const r = latestSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
  if (!r.success) throw new Error(`checkpoint pointer ${file} is not valid; delete it to start over, or point it at a folder under ${root}`);
  return path.join(root, r.data.label);
}

export function loadCheckpoint(dir: string): CheckpointInfo & { tensors: Record<string, tf.Tensor> } {
  const data = readJsonFile(path.join(dir, 'checkpoint.json'), checkpointSchema, 'checkpoint');
  const bin = fs.readFileSync(path.join(dir, 'tensors.bin'));
  const expected = data.tensors.reduce((s, t) => s + t.shape.reduce((a, b) => a * b, 1) * 4, 0);
  if (bin.byteLength !== expected) throw new Error(`checkpoint ${dir}: tensors.bin has ${bin.byteLength} bytes, checkpoint.json describes ${expected}`);
  const tensors = tf.io.decodeWeights(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength), data.tensors);
  const { tensors: _specs, ...info } = data;
  return { ...info, tensors };
}

/**
 * The newest checkpoint under `root` that reads whole, loaded: `latest.json`'s first, then the others from the
 * newest step down. A damaged one (a truncated tensors.bin, a broken checkpoint.json: a disk that filled up, a copy
 * cut short) is reported through `warn` and passed over, so it costs the steps since the one before, not the run.
 * Undefined when there is no checkpoint; throws naming each one's problem when none reads.
 */
export function loadNewestCheckpoint(
  root: string,
  warn: (line: string) => void,
): { dir: string; checkpoint: ReturnType<typeof loadCheckpoint>; passedOver: string[] } | undefined {
  if (!fs.existsSync(root)) return undefined;
  let latest: string | undefined;
  try {
    latest = latestCheckpoint(root);
  } catch (e) {
    warn(`WARNING: ${(e as Error).message}; looking at the checkpoint folders instead`);
  }
  const folders = fs
    .readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.tmp-'))
    .map((e) => path.join(root, e.name))
    .map((dir) => {
      let step = -1;
      try {
        step = stepOf(path.join(dir, 'checkpoint.json'));
      } catch {
        // unreadable: tried last, and reported
      }
      return { dir, step };
    })
    .sort((a, b) => b.step - a.step)
    .map((c) => c.dir);
  const candidates = [...(latest && fs.existsSync(latest) ? [latest] : []), ...folders.filter((d) => d !== latest)];
  if (candidates.length === 0) return undefined;
  const passedOver: string[] = [];
  for (const dir of candidates) {
    try {
      const checkpoint = loadCheckpoint(dir);
      if (passedOver.length)
        warn(
          `WARNING: resuming from the older checkpoint ${path.basename(dir)}: the newer ${passedOver.map((p) => path.basename(p.split(': ')[0])).join(', ')} could not be read (kept as they are for inspection)`,
        );
      return { dir, checkpoint, passedOver };
    } catch (e) {
      const why = `${dir}: ${(e as Error).message}`;
      passedOver.push(why);
      warn(`WARNING: checkpoint ${why}`);
    }
  }
  throw new Error(
    `no checkpoint under ${root} can be read:\n  ${passedOver.join('\n  ')}\nstart the run again (a new --name), or restore a checkpoint folder from a copy`,
  );
}

/** Assigns `param/<name>` tensors to the variables of `params`; every variable must be present. */
export function assignParams(params: ReadonlyArray<{ name: string; variable: tf.Variable }>, tensors: Record<string, tf.Tensor>, where: string): void {
  for (const p of params) {
    const t = tensors[`param/${p.name}`];
    if (!t || t.shape.join() !== p.variable.shape.join())
      throw new Error(`checkpoint ${where} lacks or mis-shapes parameter ${p.name}; was it written with another network config?`);
    p.variable.assign(t);
  }
}

export function paramTensors(params: ReadonlyArray<{ name: string; variable: tf.Variable }>): Record<string, tf.Tensor> {
  return Object.fromEntries(params.map((p) => [`param/${p.name}`, p.variable]));
}

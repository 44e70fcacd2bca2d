/**
 * Same numbers as PyTorch: the benchmark's PyTorch peers (tools/bench/py) load our initial weights and alphas and
 * our batch, and one one-level search step (Adam on the alphas, then clipped SGD on the weights) and one derived-
 * network step give the loss, every gradient and every updated tensor that libs/nas computes on its backend, within
 * the tolerance below (float32 on both sides, different summation orders). Needs Debian's python3-torch (CI installs
 * it: ./system-deps.sh --test); PVNAS_PYTHON names another python.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import {
  Adam,
  crossEntropy,
  defaultLayout,
  DerivedNetwork,
  lossAndGradients,
  randomGenotype,
  SearchNetwork,
  searchStep,
  selectBackend,
  Sgd,
  TRAIN,
  writeGenotype,
  type BackendInfo,
} from '@pvnas/nas';

const ROOT = path.resolve(__dirname, '..');
const PEER = path.join(ROOT, 'tools/bench/py/equality_peer.py');
const PYTHON = process.env.PVNAS_PYTHON || '/usr/bin/python3';
/** A tensor agrees when max |ours - PyTorch| <= TOL * max(1, max |PyTorch|); the losses to REL_LOSS relative. */
const TOL = 1e-4;
const REL_LOSS = 1e-5;
const OPTIM = { lr: 0.1, momentum: 0.9, weight_decay: 1e-4, alpha_lr: 0.01, beta1: 0, beta2: 0.999, eps: 1e-8, grad_clip: 5 };

const resultSchema = z.object({
  torch: z.string(),
  tensors: z.array(z.object({ name: z.string(), shape: z.array(z.number().int()), offset: z.number().int() })),
});

type Layout = 'conv' | 'linear' | 'plain';
interface Named {
  name: string;
  tensor: tf.Tensor;
  layout: Layout;
}

/** What a parameter is, by our naming: the peer pairs the k-th of each role on both sides. */
function roleOf(name: string, t: tf.Tensor): string {
  if (name.startsWith('alphas.')) return 'alpha';
  if (t.rank === 4) return 'conv';
  if (name.endsWith('.gamma')) return 'gamma';
  if (name.endsWith('.beta')) return 'beta';
  if (/classifier\.fc\.weight$/.test(name)) return 'linear';
  if (/classifier\.fc\.bias$/.test(name)) return 'bias';
  throw new Error(`no role for parameter ${name} [${t.shape}]`);
}

function writeJob(dir: string, kind: 'search' | 'derived', config: object, tensors: Named[]): void {
  let offset = 0;
  const meta = tensors.map((t) => {
    const m = {
      name: t.name,
      shape: t.tensor.shape,
      offset,
      layout: t.layout,
      ...(t.name === 'x' || t.name === 'labels' ? {} : { role: roleOf(t.name, t.tensor) }),
    };
    offset += t.tensor.size;
    return m;
  });
  const all = new Float32Array(offset);
  tensors.forEach((t, i) => all.set(t.tensor.dataSync() as Float32Array, meta[i].offset));
  fs.writeFileSync(path.join(dir, 'tensors.bin'), Buffer.from(all.buffer));
  fs.writeFileSync(path.join(dir, 'job.json'), JSON.stringify({ kind, config, optim: OPTIM, tensors: meta }));
}

function runPeer(inDir: string, outDir: string): Map<string, Float32Array> {
  const r = spawnSync(PYTHON, [PEER, inDir, outDir], { encoding: 'utf8', timeout: 300000, cwd: path.dirname(PEER) });
  if (r.error || r.status !== 0) {
    const why = r.error ? r.error.message : r.stderr.trim().split('\n').slice(-3).join(' | ');
    throw new Error(`the PyTorch peer failed (${why}); it needs python3 with torch: apt-get install python3-torch, or PVNAS_PYTHON=/path/to/python`);
  }
  const meta = resultSchema.parse(JSON.parse(fs.readFileSync(path.join(outDir, 'result.json'), 'utf8')));
  const raw = fs.readFileSync(path.join(outDir, 'result.bin'));
  const all = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
  return new Map(meta.tensors.map((t) => [t.name, all.slice(t.offset, t.offset + t.shape.reduce((a, b) => a * b, 1))]));
}

/** The worst disagreement of a tensor relative to the PyTorch values' scale. */
function worst(ours: ArrayLike<number>, ref: Float32Array): number {
  if (ours.length !== ref.length) return Infinity;
  let scale = 1;
  for (const v of ref) scale = Math.max(scale, Math.abs(v));
  let d = 0;
  for (let i = 0; i < ref.length; i++) d = Math.max(d, Math.abs(ours[i] - ref[i]));
  return d / scale;
}

function expectAgree(label: string, ours: Map<string, ArrayLike<number>>, ref: Map<string, Float32Array>): void {
  const bad: string[] = [];
  let max = 0;
  for (const [name, values] of ours) {
    const r = ref.get(name);
    if (!r) {
      bad.push(`${name}: missing from PyTorch's result`);
      continue;
    }
    const w = name.startsWith('loss') ? Math.abs(values[0] - r[0]) / Math.abs(r[0]) : worst(values, r);
    max = Math.max(max, name.startsWith('loss') ? 0 : w);
    if (!(w <= (name.startsWith('loss') ? REL_LOSS : TOL))) bad.push(`${name}: ${w.toExponential(2)}`);
  }
  expect({ label, disagreements: bad.slice(0, 10), count: bad.length }).toEqual({ label, disagreements: [], count: 0 });
  expect(ours.size).toBeGreaterThan(10);
  expect(max).toBeLessThanOrEqual(TOL);
  if (process.env.PVNAS_EQUALITY_LOG) console.log(`${label}: worst tensor disagreement ${max.toExponential(2)} (tolerance ${TOL})`);
}

/** The updates agree far more closely than the step moved the tensors: sum |ours - PyTorch| / sum |PyTorch's update|. */
function expectUpdatesAgree(label: string, named: Named[], before: Float32Array[], ref: Map<string, Float32Array>): void {
  let diff = 0,
    moved = 0;
  named.forEach((t, i) => {
    const after = ref.get(`after/${t.name}`)!,
      mine = t.tensor.dataSync();
    for (let k = 0; k < after.length; k++) {
      diff += Math.abs(mine[k] - after[k]);
      moved += Math.abs(after[k] - before[i][k]);
    }
  });
  if (process.env.PVNAS_EQUALITY_LOG) console.log(`${label}: sum |ours - PyTorch| / sum |update| = ${(diff / moved).toExponential(2)}`);
  expect(moved).toBeGreaterThan(0);
  expect(diff / moved).toBeLessThan(1e-3);
}

const layoutOf = (name: string, t: tf.Tensor): Layout => (t.rank === 4 ? 'conv' : /classifier\.fc\.weight$/.test(name) ? 'linear' : 'plain');

describe('libs/nas computes what PyTorch computes', () => {
  let dir: string;
  let backend: BackendInfo;
  beforeAll(async () => {
    backend = await selectBackend({ log: null });
  });
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pvnas-equality-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('one one-level search step: loss, gradients of every weight and alpha, updated weights and alphas', () => {
    const config = { channels: 2, classes: 3, stem_stride: 2 };
    const net = new SearchNetwork({ channels: 2, classes: 3, stemStride: 2, dropout: 0, seed: 3 });
    const x = tf.randomNormal([2, 4, 32, 32, 3], 0, 1, 'float32', 11) as tf.Tensor5D;
    const labels = tf.tensor1d([0, 2], 'int32');
    const names = new Map(net.params.list().map((p) => [p.variable, p.name]));
    const weights = net.weights(),
      alphas = net.alphaList();
    const vars = [...weights, ...alphas];
    const named = vars.map((v) => ({ name: names.get(v)!, tensor: v as tf.Tensor, layout: layoutOf(names.get(v)!, v) }));
    writeJob(dir, 'search', config, [
      ...named,
      { name: 'x', tensor: x, layout: 'plain' },
      { name: 'labels', tensor: tf.cast(labels, 'float32'), layout: 'plain' },
    ]);

    const before = vars.map((v) => Float32Array.from(v.dataSync()));
    const ours = new Map<string, ArrayLike<number>>();
    const g = lossAndGradients(net, x, labels, vars, { recompute: false });
    ours.set('loss0', g.loss.dataSync());
    g.grads.forEach((t, i) => ours.set(`grad/${named[i].name}`, t.dataSync()));
    tf.dispose([g.loss, g.correct, ...g.grads]);
    const alphaOpt = new Adam({ lr: OPTIM.alpha_lr, beta1: OPTIM.beta1, beta2: OPTIM.beta2, eps: OPTIM.eps, weightDecay: 0 });
    const weightOpt = new Sgd({ lr: OPTIM.lr, momentum: OPTIM.momentum, weightDecay: OPTIM.weight_decay });
    const r = searchStep(net, x, labels, alphaOpt, weightOpt, { mode: 'alternating', recompute: false, gradClip: OPTIM.grad_clip });
    ours.set('loss1', [r.weightLoss]);
    vars.forEach((v, i) => ours.set(`after/${named[i].name}`, v.dataSync()));

    const ref = runPeer(dir, path.join(dir, 'out'));
    expectAgree(`search step on ${backend.name}`, ours, ref);
    expectUpdatesAgree('search step', named, before, ref);
    tf.dispose([x, labels]);
    alphaOpt.dispose();
    weightOpt.dispose();
    net.dispose();
  });

  it('one derived-network step: loss, gradients of every weight, updated weights', () => {
    const genotype = randomGenotype(1);
    writeGenotype(path.join(dir, 'genotype.json'), genotype);
    const layout = defaultLayout(1);
    const net = new DerivedNetwork(genotype, { channels: 4, classes: 3, layout, stemStride: 2, dropout: 0, seed: 5 });
    const x = tf.randomNormal([2, 4, 32, 32, 3], 0, 1, 'float32', 12) as tf.Tensor5D;
    const labels = tf.tensor1d([1, 2], 'int32');
    const names = new Map(net.params.list().map((p) => [p.variable, p.name]));
    const vars = net.params.trainable();
    const named = vars.map((v) => ({ name: names.get(v)!, tensor: v as tf.Tensor, layout: layoutOf(names.get(v)!, v) }));
    writeJob(dir, 'derived', { channels: 4, classes: 3, stem_stride: 2, layout }, [
      ...named,
      { name: 'x', tensor: x, layout: 'plain' },
      { name: 'labels', tensor: tf.cast(labels, 'float32'), layout: 'plain' },
    ]);

    const before = vars.map((v) => Float32Array.from(v.dataSync()));
    const ours = new Map<string, ArrayLike<number>>();
    const { value, grads } = tf.variableGrads(() => crossEntropy(net.forward(x, TRAIN), labels), vars);
    ours.set('loss0', value.dataSync());
    ours.set('loss1', value.dataSync());
    vars.forEach((v, i) => ours.set(`grad/${named[i].name}`, grads[v.name].dataSync()));
    const opt = new Sgd({ lr: OPTIM.lr, momentum: OPTIM.momentum, weightDecay: OPTIM.weight_decay });
    opt.step(
      vars,
      vars.map((v) => grads[v.name]),
    );
    vars.forEach((v, i) => ours.set(`after/${named[i].name}`, v.dataSync()));
    tf.dispose([value, ...Object.values(grads)]);
    opt.dispose();

    const ref = runPeer(dir, path.join(dir, 'out'));
    expectAgree(`derived step on ${backend.name}`, ours, ref);
    expectUpdatesAgree('derived step', named, before, ref);
    tf.dispose([x, labels]);
    net.dispose();
  });
});

/**
 * Issue 3's benchmark: each candidate op, the MixedOp (all 8 ops, input [4, 8, 28, 28, 32]) and the search
 * supernet, forward+backward, on our tfjs backend and on the PyTorch peer (tools/bench/py/nas_torch_peer.py,
 * Debian python3-torch) with the same thread count, in one run; prints tfjs/PyTorch ratios and peak memory.
 *
 *   npx tsx tools/bench/nas/backend-vs-torch.ts [--backend torch] [--threads 2] [--runs 5] [--supernet C,N,T,HW] [--quick]
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command } from 'commander';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend, type BackendRequest, Params, MixedOp, lossAndGradients, SearchNetwork, OPS, TEMPORAL_OPS, type OpName } from '@pvnas/nas';

const ROOT = path.resolve(__dirname, '..', '..', '..');

interface Timing {
  median_ms: number;
  min_ms: number;
  runs: number;
  weights: number;
}

function timed(fn: () => void, runs: number, warmup: number): { median_ms: number; min_ms: number; runs: number } {
  for (let i = 0; i < warmup; i++) fn();
  const ts: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    ts.push(performance.now() - t);
  }
  ts.sort((a, b) => a - b);
  return { median_ms: ts[Math.floor(ts.length / 2)], min_ms: ts[0], runs };
}

function peakRssMiB(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 1024 : process.memoryUsage().rss / 2 ** 20;
}

const count = (vars: tf.Variable[]): number => vars.reduce((s, v) => s + v.size, 0);

async function main(): Promise<void> {
  const o = new Command()
    .option('--backend <name>', 'tfjs backend (auto, torch, wasm, cpu)', 'auto')
    .option('--threads <n>', 'threads for both sides', (v) => Number(v), 2)
    .option('--runs <n>', 'timed runs per item', (v) => Number(v), 5)
    .option('--supernet <C,N,T,HW>', 'search supernet: channels, batch, frames, size', '16,2,8,112')
    .option('--recompute', 'also time the supernet with per-block recomputation')
    .option('--quick', 'smoke run: fewer runs, small supernet')
    .option('--python <path>', 'python with torch', process.env.PVNAS_BENCH_PYTHON || '/usr/bin/python3')
    .parse()
    .opts<{ backend: BackendRequest; threads: number; runs: number; supernet: string; recompute?: boolean; quick?: boolean; python: string }>();
  const runs = o.quick ? 2 : o.runs;
  const [C, N, T, HW] = (o.quick ? '4,2,4,32' : o.supernet).split(',').map(Number);
  const opInput: [number, number, number, number, number] = [4, 8, 28, 28, 32];
  const names: Array<OpName | 'mixed'> = [...TEMPORAL_OPS, 'mixed'];

  // PyTorch first: its peak RSS is its own process's
  const job = {
    threads: o.threads,
    op_input: opInput,
    ops: names,
    runs,
    warmup: 1,
    supernet: { channels: C, classes: 400, stem_stride: 2, input: [N, T, HW, HW, 3], runs: Math.max(2, Math.ceil(runs / 2)) },
  };
  process.stderr.write(`PyTorch peer (${o.python}) ...\n`);
  const py = spawnSync(o.python, [path.join(ROOT, 'tools/bench/py/nas_torch_peer.py')], { input: JSON.stringify(job), encoding: 'utf8', maxBuffer: 1 << 24 });
  if (py.status !== 0) throw new Error(`PyTorch peer failed: ${py.stderr.slice(-2000)}`);
  const peer = JSON.parse(py.stdout) as { torch: string; threads: number; ops: Record<string, Timing>; supernet: Timing; max_rss_mib: number };

  const info = await selectBackend({ backend: o.backend, threads: o.threads });
  const ours: Record<string, Timing> = {};
  const [n, t, h, w, c] = opInput;
  const x = tf.randomNormal([n, t, h, w, c], 0, 1, 'float32', 1) as tf.Tensor5D;
  const ctx = { training: true, updateStats: true };
  for (const name of names) {
    const p = new Params(0);
    let f: () => tf.Scalar;
    let xs: tf.Tensor[];
    if (name === 'mixed') {
      const m = new MixedOp(p, TEMPORAL_OPS, c, 1);
      const alpha = tf.variable(tf.zeros([8]));
      f = () => tf.sum(m.forward(x, tf.softmax(alpha) as tf.Tensor1D, ctx)) as tf.Scalar;
      xs = [x, alpha, ...p.trainable()];
    } else if (name === 'none') {
      f = () => tf.sum(tf.mul(x, 0)) as tf.Scalar;
      xs = [x];
    } else {
      const block = OPS[name](p, c, 1, false);
      f = () => tf.sum(block.forward(x, ctx)) as tf.Scalar;
      xs = [x, ...p.trainable()];
    }
    const step = () =>
      tf.tidy(() =>
        tf
          .engine()
          .gradients(f, xs, undefined, true)
          .grads.forEach((g) => g?.dataSync()),
      );
    ours[name] = { ...timed(step, runs, 1), weights: count(p.trainable()) };
    p.dispose();
  }
  const net = new SearchNetwork({ channels: C, classes: 400, stemStride: 2, dropout: 0, seed: 0 });
  const xn = tf.randomNormal([N, T, HW, HW, 3], 0, 1, 'float32', 2) as tf.Tensor5D;
  const labels = tf.tensor1d(
    Array.from({ length: N }, (_, i) => i % 400),
    'int32',
  );
  const vars = [...net.weights(), ...net.alphaList()];
  const superRuns = Math.max(2, Math.ceil(runs / 2));
  const supernet = {
    ...timed(
      () => (({ grads, loss, correct }) => tf.dispose([...grads, loss, correct]))(lossAndGradients(net, xn, labels, vars, { recompute: false })),
      superRuns,
      1,
    ),
    weights: count(net.weights()),
  };
  const supernetCkpt = o.recompute
    ? {
        ...timed(
          () => (({ grads, loss, correct }) => tf.dispose([...grads, loss, correct]))(lossAndGradients(net, xn, labels, vars, { recompute: true })),
          superRuns,
          1,
        ),
        weights: supernet.weights,
      }
    : undefined;
  const rss = peakRssMiB();

  const rows: Array<{ item: string; ours: number; torch: number; ratio: number }> = names.map((k) => {
    if (ours[k].weights !== peer.ops[k].weights) throw new Error(`${k}: ${ours[k].weights} weights here, ${peer.ops[k].weights} in PyTorch`);
    return { item: k, ours: ours[k].median_ms, torch: peer.ops[k].median_ms, ratio: ours[k].median_ms / peer.ops[k].median_ms };
  });
  if (supernet.weights !== peer.supernet.weights) throw new Error(`supernet: ${supernet.weights} weights here, ${peer.supernet.weights} in PyTorch`);
  rows.push({
    item: `supernet C=${C} [${N},${T},${HW},${HW},3]`,
    ours: supernet.median_ms,
    torch: peer.supernet.median_ms,
    ratio: supernet.median_ms / peer.supernet.median_ms,
  });
  if (supernetCkpt)
    rows.push({
      item: '  with recomputation',
      ours: supernetCkpt.median_ms,
      torch: peer.supernet.median_ms,
      ratio: supernetCkpt.median_ms / peer.supernet.median_ms,
    });

  const fmt = (v: number) => v.toFixed(1).padStart(9);
  console.log(
    `\nforward+backward, median of ${runs} (supernet ${superRuns}); tfjs ${info.name} vs PyTorch ${peer.torch}, ${o.threads} threads each; equal weight counts asserted`,
  );
  console.log(`${'item'.padEnd(36)}${'tfjs ms'.padStart(9)}${'torch ms'.padStart(9)}  tfjs/torch`);
  for (const r of rows)
    console.log(
      `${r.item.padEnd(36)}${fmt(r.ours)}${fmt(r.torch)}  ${r.ratio.toFixed(2)}x${r.item === 'mixed' || r.item.startsWith('supernet') ? (r.ratio <= 1.5 ? '  (target <= 1.5x: met)' : '  (target <= 1.5x: MISSED)') : ''}`,
    );
  console.log(
    `peak RSS: tfjs process ${rss.toFixed(0)} MiB, PyTorch process ${peer.max_rss_mib.toFixed(0)} MiB (ratio ${(rss / peer.max_rss_mib).toFixed(2)})`,
  );
  const out = path.join(ROOT, 'data', 'bench', `backend-vs-torch-${new Date().toISOString().slice(0, 19).replace(/:/g, '')}.json`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify({ backend: info, threads: o.threads, rows, peer, ours, supernet, supernetCkpt, peakRssMiB: rss }, null, 2));
  console.log(`report: ${path.relative(ROOT, out)}`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});

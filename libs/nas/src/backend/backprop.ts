/**
 * Gradients with PyTorch's memory profile. tfjs's `engine.gradients` keeps every tensor its tape saved for the
 * backward pass and every intermediate gradient until the whole backward pass ends, so its peak is the
 * activations plus the gradients of all of them; PyTorch frees a node's saved tensors and the gradients of its
 * outputs as soon as that node's backward has run. `gradients` here records the forward pass on tfjs's tape
 * exactly as `engine.gradients` does (same tape, same registered gradient functions, same results) and walks it
 * backwards itself, freeing both as it goes. Measured on the search step: see docs/decisions.md.
 *
 * Uses the engine's tape internals (`startTape`, `endTape`, `scopedRun`, `state.activeTape`), stable across
 * tfjs 4.x; nested (higher-order) gradients fall back to `engine.gradients`.
 */
import * as tf from '@tensorflow/tfjs-core';

interface TapeNode {
  id: number;
  kernelName: string;
  inputs: Record<string, tf.Tensor>;
  outputs: tf.Tensor[];
  saved?: tf.Tensor[];
  gradient?: (dys: Array<tf.Tensor | null>) => Record<string, () => tf.Tensor>;
}

interface EngineTape {
  state: { activeTape: TapeNode[] | null; gradientDepth: number };
  startTape(): void;
  endTape(): void;
  scopedRun<T>(start: () => void, end: () => void, f: () => T): T;
  tidy<T extends tf.TensorContainer>(name: string, f: () => T): T;
}

/**
 * The nodes on a path from one of `xs` to `y`, in tape order, each with only the inputs on such a path (the
 * gradients of the others are never computed).
 */
export function pathNodes(tape: TapeNode[], xs: tf.Tensor[], y: tf.Tensor): TapeNode[] {
  const fromX = new Set(xs.map((x) => x.id));
  const reached: TapeNode[] = [];
  for (const node of tape) {
    if (Object.values(node.inputs).some((t) => fromX.has(t.id))) {
      reached.push(node);
      for (const o of node.outputs) fromX.add(o.id);
    }
  }
  const toY = new Set([y.id]);
  const kept: TapeNode[] = [];
  for (let i = reached.length - 1; i >= 0; i--) {
    const node = reached[i];
    if (!node.outputs.some((o) => toY.has(o.id))) continue;
    const inputs = Object.fromEntries(Object.entries(node.inputs).filter(([, t]) => fromX.has(t.id)));
    for (const t of Object.values(inputs)) toY.add(t.id);
    kept.push({ ...node, inputs });
  }
  return kept.reverse();
}

/** `{ value: f(), grads }` with grads[i] = d value / d xs[i] (undefined where xs[i] does not reach the value). */
export function gradients(f: () => tf.Tensor, xs: tf.Tensor[], dy?: tf.Tensor): { value: tf.Tensor; grads: Array<tf.Tensor | undefined> } {
  const e = tf.engine() as unknown as EngineTape;
  if (e.state.gradientDepth > 0) {
    const r = tf.engine().gradients(f, xs, dy, true);
    return { value: r.value, grads: r.grads };
  }
  const y = e.scopedRun(
    () => e.startTape(),
    () => e.endTape(),
    () => e.tidy('forward', f),
  );
  const tape = e.state.activeTape ?? [];
  const nodes = pathNodes(tape, xs, y);
  return e.tidy('backward', () => {
    const grad = new Map<number, tf.Tensor>([[y.id, dy ?? tf.onesLike(y)]]);
    const wanted = new Set(xs.map((x) => x.id));
    for (let i = nodes.length - 1; i >= 0; i--) {
      const node = nodes[i];
      if (!node.gradient) throw new Error(`no gradient registered for kernel ${node.kernelName}`);
      const dys = node.outputs.map((o) => grad.get(o.id) ?? null);
      const inputGrads = node.gradient(dys);
      for (const [name, x] of Object.entries(node.inputs)) {
        const dx = e.tidy(name, () => inputGrads[name]());
        if (!util.arraysEqual(dx.shape, x.shape)) throw new Error(`gradient of ${node.kernelName} input ${name}: [${dx.shape}] for an input [${x.shape}]`);
        const before = grad.get(x.id);
        if (before) {
          grad.set(x.id, tf.add(before, dx));
          if (!dys.includes(before)) before.dispose();
          dx.dispose();
        } else grad.set(x.id, dx);
      }
      // what PyTorch frees once a node's backward has run: the gradients of its outputs and what it saved
      const inUse = new Set(Object.values(node.inputs).map((x) => grad.get(x.id)));
      for (const o of node.outputs) {
        const g = grad.get(o.id);
        if (!g || wanted.has(o.id)) continue;
        grad.delete(o.id);
        if (!inUse.has(g) && g !== dy) g.dispose(); // a given dy stays the caller's
      }
      for (const t of node.saved ?? []) t.dispose(); // the same array as the tape node's
    }
    for (const node of tape) for (const t of node.saved ?? []) t.dispose();
    e.state.activeTape = null;
    return { value: y, grads: xs.map((x) => grad.get(x.id)) };
  });
}

const util = {
  arraysEqual: (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((v, i) => v === b[i]),
};

/**
 * The one-level search's optimisers, written out (PyTorch semantics, so runs compare with DARTS code):
 * SGD with momentum and L2 weight decay added to the gradient for the weights; Adam for the alphas.
 * State tensors are kept per variable and updated in place; nothing else survives a step.
 */
import * as tf from '@tensorflow/tfjs-core';

export interface SgdConfig {
  lr: number;
  momentum: number;
  weightDecay: number;
}

export class Sgd {
  private readonly buffers = new Map<tf.Variable, tf.Variable>();
  constructor(public config: SgdConfig) {}

  step(vars: tf.Variable[], grads: tf.Tensor[]): void {
    const { lr, momentum, weightDecay } = this.config;
    tf.tidy(() => {
      vars.forEach((v, i) => {
        const g = weightDecay ? tf.add(grads[i], tf.mul(weightDecay, v)) : grads[i];
        let buf = this.buffers.get(v);
        if (!buf) {
          buf = tf.variable(g, false); // PyTorch: the first step's buffer is the gradient itself
          this.buffers.set(v, buf);
        } else buf.assign(tf.add(tf.mul(momentum, buf), g));
        v.assign(tf.sub(v, tf.mul(lr, buf)));
      });
    });
  }

  /** Momentum buffers by the name of their variable (for checkpoints). */
  stateTensors(names: Map<tf.Variable, string>): Record<string, tf.Tensor> {
    return Object.fromEntries([...this.buffers].map(([v, b]) => [`momentum/${names.get(v)}`, b]));
  }

  loadState(vars: Map<string, tf.Variable>, tensors: Record<string, tf.Tensor>): void {
    loadSlots(vars, tensors, 'momentum/', (v, t) => {
      this.buffers.get(v)?.dispose();
      this.buffers.set(v, tf.variable(t, false));
    });
  }

  dispose(): void {
    for (const b of this.buffers.values()) b.dispose();
    this.buffers.clear();
  }
}

/** Calls `set` for every `prefix<name>` tensor, checking the variable exists with that shape. */
function loadSlots(vars: Map<string, tf.Variable>, tensors: Record<string, tf.Tensor>, prefix: string, set: (v: tf.Variable, t: tf.Tensor) => void): void {
  for (const [key, t] of Object.entries(tensors)) {
    if (!key.startsWith(prefix)) continue;
    const name = key.slice(prefix.length);
    const v = vars.get(name);
    if (!v || v.shape.join() !== t.shape.join())
      throw new Error(`optimizer state ${key} [${t.shape}] matches no variable of the network (${v ? `shape [${v.shape}]` : 'no such name'})`);
    set(v, t);
  }
}

export interface AdamConfig {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

export class Adam {
  private readonly state = new Map<tf.Variable, { m: tf.Variable; v: tf.Variable }>();
  private t = 0;
  constructor(public config: AdamConfig) {}

  step(vars: tf.Variable[], grads: tf.Tensor[]): void {
    const { lr, beta1, beta2, eps, weightDecay } = this.config;
    this.t++;
    const c1 = 1 - beta1 ** this.t,
      c2 = 1 - beta2 ** this.t;
    tf.tidy(() => {
      vars.forEach((p, i) => {
        const g = weightDecay ? tf.add(grads[i], tf.mul(weightDecay, p)) : grads[i];
        let s = this.state.get(p);
        if (!s) {
          s = { m: tf.variable(tf.zerosLike(p), false), v: tf.variable(tf.zerosLike(p), false) };
          this.state.set(p, s);
        }
        s.m.assign(tf.add(tf.mul(beta1, s.m), tf.mul(1 - beta1, g)));
        s.v.assign(tf.add(tf.mul(beta2, s.v), tf.mul(1 - beta2, tf.square(g))));
        const update = tf.div(tf.div(s.m, c1), tf.add(tf.sqrt(tf.div(s.v, c2)), eps));
        p.assign(tf.sub(p, tf.mul(lr, update)));
      });
    });
  }

  /** Step count and moments by the name of their variable (for checkpoints). */
  stateTensors(names: Map<tf.Variable, string>): Record<string, tf.Tensor> {
    const out: Record<string, tf.Tensor> = {};
    for (const [v, s] of this.state) [out[`adam.m/${names.get(v)}`], out[`adam.v/${names.get(v)}`]] = [s.m, s.v];
    return out;
  }

  get steps(): number {
    return this.t;
  }

  loadState(vars: Map<string, tf.Variable>, tensors: Record<string, tf.Tensor>, steps: number): void {
    this.t = steps;
    const slot = (v: tf.Variable) => {
      let s = this.state.get(v);
      if (!s) this.state.set(v, (s = { m: tf.variable(tf.zerosLike(v), false), v: tf.variable(tf.zerosLike(v), false) }));
      return s;
    };
    loadSlots(vars, tensors, 'adam.m/', (v, t) => slot(v).m.assign(t));
    loadSlots(vars, tensors, 'adam.v/', (v, t) => slot(v).v.assign(t));
  }

  dispose(): void {
    for (const s of this.state.values()) tf.dispose([s.m, s.v]);
    this.state.clear();
  }
}

/**
 * Scales gradients so their global L2 norm is at most `maxNorm`, as torch.nn.utils.clip_grad_norm_: every
 * gradient times min(1, maxNorm / (norm + 1e-6)), computed on the device (no host read); returns the scaled
 * gradients (disposing the given ones) and the norm, a scalar tensor the caller reads with the step's metrics.
 */
export function clipGlobalNorm(grads: tf.Tensor[], maxNorm: number): { grads: tf.Tensor[]; norm: tf.Scalar } {
  const norm = tf.tidy(() => tf.sqrt(tf.addN(grads.map((g) => tf.sum(tf.square(g))))) as tf.Scalar);
  const scaled = tf.tidy(() => {
    const scale = tf.minimum(1, tf.div(maxNorm, tf.add(norm, 1e-6)));
    return grads.map((g) => tf.mul(g, scale));
  });
  tf.dispose(grads);
  return { grads: scaled, norm };
}

/**
 * Named, seeded parameters. Every variable's initial value depends only on (seed, name), never on the
 * order modules are built in. Initialisation follows PyTorch's defaults (what DARTS and PySlowFast train
 * with): conv and linear weights U(-1/sqrt(fan_in), 1/sqrt(fan_in)), linear bias likewise, BN scale 1, shift 0.
 */
import * as tf from '@tensorflow/tfjs-core';
import { deriveSeed } from '@pvnas/base';

export interface Param {
  name: string;
  variable: tf.Variable;
  /** false for BN running statistics. */
  trainable: boolean;
}

/** tfjs variable names are global: a counter keeps two live networks apart. */
let variableCounter = 0;

export class Params {
  private readonly all: Param[];

  constructor(
    readonly seed: number,
    readonly prefix = '',
    shared?: Param[],
  ) {
    this.all = shared ?? [];
  }

  /** A view that prefixes names with `scope.` and shares the list. */
  scope(scope: string | number): Params {
    return new Params(this.seed, this.prefix ? `${this.prefix}.${scope}` : String(scope), this.all);
  }

  private add(name: string, init: tf.Tensor, trainable = true): tf.Variable {
    const full = this.prefix ? `${this.prefix}.${name}` : name;
    if (this.all.some((p) => p.name === full)) throw new Error(`parameter ${full} is defined twice`);
    const variable = tf.variable(init, trainable, `${full}#${variableCounter++}`);
    init.dispose();
    this.all.push({ name: full, variable, trainable });
    return variable;
  }

  private uniform(name: string, shape: number[], bound: number): tf.Tensor {
    const full = this.prefix ? `${this.prefix}.${name}` : name;
    return tf.randomUniform(shape, -bound, bound, 'float32', deriveSeed(this.seed, full));
  }

  /** Conv weight [kh, kw, Cin / groups, Cout]. */
  conv(name: string, shape: [number, number, number, number]): tf.Variable {
    return this.add(name, this.uniform(name, shape, 1 / Math.sqrt(shape[0] * shape[1] * shape[2])));
  }

  /** Linear weight [Cin, Cout] and bias [Cout]. */
  linear(name: string, cin: number, cout: number): { w: tf.Variable; b: tf.Variable } {
    const bound = 1 / Math.sqrt(cin);
    return {
      w: this.add(`${name}.weight`, this.uniform(`${name}.weight`, [cin, cout], bound)),
      b: this.add(`${name}.bias`, this.uniform(`${name}.bias`, [cout], bound)),
    };
  }

  constant(name: string, shape: number[], value: number, trainable = true): tf.Variable {
    return this.add(name, tf.fill(shape, value), trainable);
  }

  /** Architecture parameters: 1e-3 * N(0, 1), as DARTS. */
  alphas(name: string, shape: number[]): tf.Variable {
    const full = this.prefix ? `${this.prefix}.${name}` : name;
    return this.add(name, tf.mul(1e-3, tf.randomNormal(shape, 0, 1, 'float32', deriveSeed(this.seed, full))));
  }

  list(): readonly Param[] {
    return this.all;
  }

  trainable(): tf.Variable[] {
    return this.all.filter((p) => p.trainable).map((p) => p.variable);
  }

  dispose(): void {
    for (const p of this.all) p.variable.dispose();
    this.all.length = 0;
  }
}

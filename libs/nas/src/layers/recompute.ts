/**
 * Recomputation (gradient checkpointing) driven from the top level. tfjs keeps every intermediate of a
 * forward pass until the whole backward pass ends, and tf.grads cannot run inside a custom gradient, so
 * memory-bound networks run as a list of segments instead: the forward pass keeps only each segment's
 * output; the backward pass walks the segments in reverse, recomputes one segment under a tape, and takes
 * the gradients of its inputs and of every trainable variable with the gradient of its output.
 *
 * Segments may read variables (closed over) and tensors given as inputs; each input must be the network
 * input or the output of an earlier segment. Randomness inside a segment must come from its inputs.
 */
import * as tf from '@tensorflow/tfjs-core';
import { gradients } from '../backend/backprop';

interface Segment {
  fn: (...xs: tf.Tensor[]) => tf.Tensor;
  inputs: tf.Tensor[];
  output: tf.Tensor;
}

export class RecomputeTape {
  private segments: Segment[] = [];
  /** Tensors made outside any segment for the segments' use (a dropout mask), disposed with the tape. */
  private owned: tf.Tensor[] = [];
  /** True while a segment is being recomputed: layers skip side effects (BN running statistics). */
  recomputing = false;

  run<T extends tf.Tensor>(fn: (...xs: tf.Tensor[]) => T, inputs: tf.Tensor[]): T {
    const output = tf.tidy(() => {
      const y = fn(...inputs);
      // an identity segment returns its input: give the output its own id (same data) so the two stay apart
      return inputs.includes(y) || y instanceof tf.Variable ? (tf.clone(y) as T) : y;
    });
    this.segments.push({ fn, inputs, output });
    return output;
  }

  /** Gives the tape a tensor made outside the segments (an input of some segment) to dispose when it ends. */
  own(t: tf.Tensor): void {
    this.owned.push(t);
  }

  /**
   * Gradients of `loss` (the last segment's scalar output) w.r.t. `variables`, in their order; a variable no
   * segment reaches gets zeros. Disposes the segment outputs; the tape is empty afterwards.
   */
  backward(loss: tf.Scalar, variables: tf.Variable[]): tf.Tensor[] {
    const pending = new Map<number, tf.Tensor>([[loss.id, tf.onesLike(loss)]]);
    const sums: Array<tf.Tensor | undefined> = variables.map(() => undefined);
    const accumulate = (prev: tf.Tensor | undefined, g: tf.Tensor): tf.Tensor => {
      if (!prev) return g;
      const s = tf.add(prev, g);
      prev.dispose();
      g.dispose();
      return s;
    };
    for (let k = this.segments.length - 1; k >= 0; k--) {
      const seg = this.segments[k];
      const dy = pending.get(seg.output.id);
      pending.delete(seg.output.id);
      if (dy) {
        this.recomputing = true;
        const grads = tf.tidy(() => {
          const xs = [...seg.inputs, ...variables];
          return gradients(() => seg.fn(...seg.inputs), xs, dy).grads;
        });
        this.recomputing = false;
        dy.dispose();
        const list = seg.inputs.length + variables.length;
        for (let i = 0; i < list; i++) {
          const g = grads[i];
          if (!g) continue;
          if (i < seg.inputs.length) pending.set(seg.inputs[i].id, accumulate(pending.get(seg.inputs[i].id), g));
          else sums[i - seg.inputs.length] = accumulate(sums[i - seg.inputs.length], g);
        }
      }
      if (seg.output !== loss) seg.output.dispose();
    }
    for (const g of pending.values()) g.dispose();
    this.segments = [];
    tf.dispose(this.owned);
    this.owned = [];
    return sums.map((g, i) => g ?? tf.zerosLike(variables[i]));
  }

  /** Drops the recorded segments without a backward pass (e.g. after an evaluation forward). */
  clear(): void {
    for (const s of this.segments) s.output.dispose();
    this.segments = [];
    tf.dispose(this.owned);
    this.owned = [];
  }
}

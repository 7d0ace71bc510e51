// AdamW (decoupled weight decay, bias-corrected moments), a warmup + cosine learning-rate schedule,
// and global-norm gradient clipping. Optimizer state can be exported for checkpoints.
import * as tf from '@tensorflow/tfjs-core';

export interface AdamWOptions {
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
}

export class AdamW {
  step = 0;
  readonly m: tf.Variable[];
  readonly v: tf.Variable[];
  private readonly b1: number;
  private readonly b2: number;
  private readonly eps: number;
  private readonly wd: number;

  /** `decay[i]` false exempts a variable from weight decay (norm gains, biases). */
  constructor(
    readonly vars: tf.Variable[],
    readonly decay: boolean[],
    o: AdamWOptions = {},
  ) {
    this.b1 = o.beta1 ?? 0.9;
    this.b2 = o.beta2 ?? 0.95;
    this.eps = o.eps ?? 1e-8;
    this.wd = o.weightDecay ?? 0.01;
    this.m = vars.map((x) => tf.variable(tf.zerosLike(x), false));
    this.v = vars.map((x) => tf.variable(tf.zerosLike(x), false));
  }

  /** One update with `grads[i]` for `vars[i]` at learning rate `lr`. */
  apply(grads: tf.Tensor[], lr: number): void {
    this.step++;
    const c1 = 1 - this.b1 ** this.step;
    const c2 = 1 - this.b2 ** this.step;
    tf.tidy(() => {
      this.vars.forEach((x, i) => {
        const g = grads[i];
        const m = tf.add(tf.mul(this.m[i], this.b1), tf.mul(g, 1 - this.b1));
        const v = tf.add(tf.mul(this.v[i], this.b2), tf.mul(tf.square(g), 1 - this.b2));
        this.m[i].assign(m);
        this.v[i].assign(v);
        const update = tf.div(tf.div(m, c1), tf.add(tf.sqrt(tf.div(v, c2)), this.eps));
        let next = tf.sub(x, tf.mul(update, lr));
        if (this.decay[i] && this.wd > 0) next = tf.sub(next, tf.mul(x, lr * this.wd));
        x.assign(next);
      });
    });
  }

  /** Moments as plain arrays (for a checkpoint). */
  exportState(): { step: number; m: Float32Array[]; v: Float32Array[] } {
    return { step: this.step, m: this.m.map((t) => new Float32Array(t.dataSync())), v: this.v.map((t) => new Float32Array(t.dataSync())) };
  }

  importState(s: { step: number; m: Float32Array[]; v: Float32Array[] }): void {
    this.step = s.step;
    this.m.forEach((t, i) => t.assign(tf.tensor(s.m[i], t.shape)));
    this.v.forEach((t, i) => t.assign(tf.tensor(s.v[i], t.shape)));
  }

  dispose(): void {
    [...this.m, ...this.v].forEach((t) => t.dispose());
  }
}

/** Linear warmup to `peak`, then cosine decay to `peak * minRatio` at `total` steps. */
export function warmupCosine(step: number, o: { peak: number; warmup: number; total: number; minRatio?: number }): number {
  const min = o.peak * (o.minRatio ?? 0.1);
  if (o.warmup > 0 && step < o.warmup) return (o.peak * (step + 1)) / o.warmup;
  const span = Math.max(1, o.total - o.warmup);
  const progress = Math.min(1, Math.max(0, (step - o.warmup) / span));
  return min + 0.5 * (o.peak - min) * (1 + Math.cos(Math.PI * progress));
}

/** Scales gradients so their global L2 norm is at most `maxNorm` (0 = off); returns the norm before clipping. */
export function clipByGlobalNorm(grads: tf.Tensor[], maxNorm: number): { grads: tf.Tensor[]; norm: number } {
  const norm = tf.tidy(() => Math.sqrt(tf.addN(grads.map((g) => tf.sum(tf.square(g)))).dataSync()[0]));
  if (!(maxNorm > 0) || !Number.isFinite(norm) || norm <= maxNorm) return { grads, norm };
  const scale = maxNorm / (norm + 1e-6);
  return { grads: grads.map((g) => tf.mul(g, scale)), norm };
}

/** Weight decay applies to matrices only (not to norm gains or biases). */
export function decayMask(vars: tf.Variable[]): boolean[] {
  return vars.map((v) => v.rank >= 2);
}

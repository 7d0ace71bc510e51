// Gradient definitions for the kernels the decoder and the losses use. The Node build of
// @tensorflow/tfjs-core registers no gradients (its register_all_gradients module is ESM with
// extensionless imports that Node cannot load), so training needs its own. Existing registrations
// (e.g. from tfjs-node) are left alone. Matmul and embedding gradients live in matmul.ts (custom grads).
import * as tf from '@tensorflow/tfjs-core';

type Saved = tf.Tensor[];
type Attrs = Record<string, unknown>;

/** Sums dy over the axes along which an input of `shape` was broadcast, then reshapes to `shape`. */
function unbroadcast(dy: tf.Tensor, shape: number[]): tf.Tensor {
  if (dy.shape.join(',') === shape.join(',')) return dy;
  const lead = dy.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < dy.rank; i++) {
    if (i < lead || (shape[i - lead] === 1 && dy.shape[i] !== 1)) axes.push(i);
  }
  const summed = axes.length ? tf.sum(dy, axes, true) : dy;
  return tf.reshape(summed, shape);
}

function axesOf(attr: unknown, rank: number): number[] {
  if (attr === undefined || attr === null) return Array.from({ length: rank }, (_, i) => i);
  const list = Array.isArray(attr) ? (attr as number[]) : [attr as number];
  return list.map((a) => (a < 0 ? a + rank : a));
}

/** dy of a reduction, broadcast back over the reduced axes of x. */
function expandReduced(dy: tf.Tensor, x: tf.Tensor, axes: number[]): tf.Tensor {
  const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  return tf.mul(tf.reshape(dy, kept), tf.onesLike(x));
}

const binary = (name: string, fa: (dy: tf.Tensor, a: tf.Tensor, b: tf.Tensor) => tf.Tensor, fb: (dy: tf.Tensor, a: tf.Tensor, b: tf.Tensor) => tf.Tensor): tf.GradConfig => ({
  kernelName: name,
  inputsToSave: ['a', 'b'],
  gradFunc: (dy, saved) => {
    const [a, b] = saved as Saved;
    const d = dy as tf.Tensor;
    return { a: () => unbroadcast(fa(d, a, b), a.shape), b: () => unbroadcast(fb(d, a, b), b.shape) };
  },
});

const unary = (name: string, f: (dy: tf.Tensor, x: tf.Tensor, y: tf.Tensor) => tf.Tensor, save: 'x' | 'y' = 'x'): tf.GradConfig => ({
  kernelName: name,
  ...(save === 'x' ? { inputsToSave: ['x'] } : { outputsToSave: [true] }),
  gradFunc: (dy, saved) => {
    const [t] = saved as Saved;
    return { x: () => f(dy as tf.Tensor, t, t) };
  },
});

const CONFIGS: tf.GradConfig[] = [
  binary('Add', (dy) => dy, (dy) => dy),
  binary('Sub', (dy) => dy, (dy) => tf.neg(dy)),
  binary('Multiply', (dy, _a, b) => tf.mul(dy, b), (dy, a) => tf.mul(dy, a)),
  binary('RealDiv', (dy, _a, b) => tf.div(dy, b), (dy, a, b) => tf.neg(tf.div(tf.mul(dy, a), tf.square(b)))),
  binary('Minimum', (dy, a, b) => tf.mul(dy, tf.cast(tf.lessEqual(a, b), 'float32')), (dy, a, b) => tf.mul(dy, tf.cast(tf.greater(a, b), 'float32'))),
  binary('Maximum', (dy, a, b) => tf.mul(dy, tf.cast(tf.greaterEqual(a, b), 'float32')), (dy, a, b) => tf.mul(dy, tf.cast(tf.less(a, b), 'float32'))),
  unary('Neg', (dy) => tf.neg(dy)),
  unary('Square', (dy, x) => tf.mul(dy, tf.mul(x, 2))),
  unary('Sqrt', (dy, _x, y) => tf.div(dy, tf.mul(y, 2)), 'y'),
  unary('Rsqrt', (dy, x) => tf.mul(tf.div(dy, tf.mul(x, tf.sqrt(x))), -0.5)),
  unary('Exp', (dy, _x, y) => tf.mul(dy, y), 'y'),
  unary('Log', (dy, x) => tf.div(dy, x)),
  unary('Log1p', (dy, x) => tf.div(dy, tf.add(x, 1))),
  // Subgradient -1 at 0 (as tfjs does): with Minimum's a<=b convention, log-sigmoid then has slope 0.5 at 0.
  unary('Abs', (dy, x) => tf.mul(dy, tf.step(x, -1))),
  unary('Sigmoid', (dy, _x, y) => tf.mul(dy, tf.mul(y, tf.sub(1, y))), 'y'),
  unary('Relu', (dy, x) => tf.mul(dy, tf.step(x))),
  unary('Tanh', (dy, _x, y) => tf.mul(dy, tf.sub(1, tf.square(y))), 'y'),
  {
    kernelName: 'Softmax',
    outputsToSave: [true],
    gradFunc: (dy, saved, attrs) => {
      const [y] = saved as Saved;
      const d = dy as tf.Tensor;
      const dim = (attrs as Attrs).dim as number;
      return { logits: () => tf.mul(y, tf.sub(d, tf.sum(tf.mul(d, y), dim, true))) };
    },
  },
  {
    kernelName: 'Sum',
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved as Saved;
      return { x: () => expandReduced(dy as tf.Tensor, x, axesOf((attrs as Attrs).axis, x.rank)) };
    },
  },
  {
    kernelName: 'Mean',
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved as Saved;
      const axes = axesOf((attrs as Attrs).axis, x.rank);
      const count = axes.reduce((n, a) => n * x.shape[a], 1);
      return { x: () => tf.div(expandReduced(dy as tf.Tensor, x, axes), count) };
    },
  },
  {
    kernelName: 'Reshape',
    inputsToSave: ['x'],
    gradFunc: (dy, saved) => {
      const [x] = saved as Saved;
      return { x: () => tf.reshape(dy as tf.Tensor, x.shape) };
    },
  },
  {
    kernelName: 'Transpose',
    gradFunc: (dy, _saved, attrs) => {
      const perm = (attrs as Attrs).perm as number[];
      const inverse = new Array<number>(perm.length);
      perm.forEach((p, i) => { inverse[p] = i; });
      return { x: () => tf.transpose(dy as tf.Tensor, inverse) };
    },
  },
  {
    kernelName: 'Slice',
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved as Saved;
      const a = attrs as Attrs;
      const begin = (Array.isArray(a.begin) ? a.begin : [a.begin]) as number[];
      const rawSize = (Array.isArray(a.size) ? a.size : [a.size]) as number[];
      const size = x.shape.map((d, i) => (rawSize[i] === undefined || rawSize[i] < 0 ? d - (begin[i] ?? 0) : rawSize[i]));
      const pads = x.shape.map((d, i) => [begin[i] ?? 0, d - (begin[i] ?? 0) - size[i]] as [number, number]);
      return { x: () => tf.pad(dy as tf.Tensor, pads) };
    },
  },
  {
    kernelName: 'Concat',
    saveAllInputs: true,
    gradFunc: (dy, saved, attrs) => {
      const inputs = saved as Saved;
      const axis = axesOf((attrs as Attrs).axis, inputs[0].rank)[0];
      const parts = tf.split(dy as tf.Tensor, inputs.map((t) => t.shape[axis]), axis);
      return Object.fromEntries(parts.map((p, i) => [String(i), () => p]));
    },
  },
  {
    kernelName: 'Cast',
    gradFunc: (dy) => ({ x: () => tf.clone(dy as tf.Tensor) }),
  },
  {
    kernelName: 'Identity',
    gradFunc: (dy) => ({ x: () => tf.clone(dy as tf.Tensor) }),
  },
];

let done = false;

/** Registers the gradients above for kernels that have none yet (idempotent). */
export function registerGradients(): void {
  if (done) return;
  done = true;
  for (const c of CONFIGS) if (!tf.getGradient(c.kernelName)) tf.registerGradient(c);
}

registerGradients();

// The shape of a parametric problem family and the helpers every family file uses.
// A family draws "semantic" parameters (the constants that make one problem differ from another) and
// builds a problem from them; test inputs and the docstring example come from a separate random stream,
// so the SFT recipe can make fresh variations while excluding any val/test parameter set by its key.
import type { Rng } from 'crucible-ml';

/** A Python value as the tests see it; `Tuple` renders as a tuple literal. */
export type PyValue = number | string | boolean | null | PyValue[] | { [key: string]: PyValue } | Tuple;
export class Tuple {
  constructor(readonly items: PyValue[]) {}
}

/** One problem before rendering: everything a family decides. */
export interface Instance {
  fn: string;
  /** Parameter list as written in the signature, e.g. "xs, k". */
  params: string;
  /** Docstring sentence(s); the example is appended by the renderer. */
  doc: string;
  /** Alternative correct bodies, unindented, lines separated by "\n" (one is the canonical solution). */
  bodies: string[];
  /** The reference semantics, used to compute each test's expected value. */
  f: (...args: any[]) => PyValue;
  /** Argument lists: the first is the docstring example; the rest (plus the first) become tests. */
  inputs: PyValue[][];
}

export interface Family<P = any> {
  name: string;
  /** Draws semantic parameters; `JSON.stringify` of the result is the parameter key. */
  sample(rng: Rng): P;
  build(params: P, rng: Rng): Instance;
}

export const defineFamily = <P>(family: Family<P>): Family<P> => family;

/** Python literal of a value (repr-compatible for the types we use). */
export function py(v: PyValue): string {
  if (v === null) return 'None';
  if (v instanceof Tuple) return v.items.length === 1 ? `(${py(v.items[0])},)` : `(${v.items.map(py).join(', ')})`;
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`not a finite number: ${v}`);
    return String(v);
  }
  if (typeof v === 'string') return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (Array.isArray(v)) return `[${v.map(py).join(', ')}]`;
  return `{${Object.entries(v).map(([k, x]) => `${py(keyValue(k))}: ${py(x)}`).join(', ')}}`;
}

// Dict keys are stored as JS strings; "#12" marks an integer key.
function keyValue(k: string): PyValue {
  return k.startsWith('#') ? Number(k.slice(1)) : k;
}

/** Python's floor modulo and floor division (JS `%` truncates). */
export const pmod = (a: number, b: number): number => ((a % b) + b) % b;
export const pdiv = (a: number, b: number): number => Math.floor(a / b);

/** Inclusive integer range draw. */
export const ri = (rng: Rng, lo: number, hi: number): number => lo + rng.int(hi - lo + 1);
export const pick = <T>(rng: Rng, items: readonly T[]): T => items[rng.int(items.length)];
export const ints = (rng: Rng, n: number, lo: number, hi: number): number[] => Array.from({ length: n }, () => ri(rng, lo, hi));

export const WORDS = [
  'cat', 'dog', 'sun', 'tree', 'blue', 'red', 'apple', 'moon', 'sky', 'fish', 'bird', 'road', 'hat', 'map',
  'cup', 'box', 'lamp', 'rain', 'snow', 'leaf', 'star', 'door', 'milk', 'book', 'pen', 'egg', 'car', 'bus',
] as const;
export const words = (rng: Rng, n: number): string[] => Array.from({ length: n }, () => pick(rng, WORDS));
export const sentence = (rng: Rng, n: number): string => words(rng, n).join(' ');

/** English wording of a comparison with a constant, and its Python operator. */
export const COMPARISONS = [
  { op: '>', text: 'greater than', name: 'above', f: (a: number, b: number) => a > b },
  { op: '>=', text: 'at least', name: 'at_least', f: (a: number, b: number) => a >= b },
  { op: '<', text: 'less than', name: 'below', f: (a: number, b: number) => a < b },
  { op: '<=', text: 'at most', name: 'at_most', f: (a: number, b: number) => a <= b },
  { op: '==', text: 'equal to', name: 'equal_to', f: (a: number, b: number) => a === b },
  { op: '!=', text: 'not equal to', name: 'not_equal_to', f: (a: number, b: number) => a !== b },
] as const;

/** A signed constant as it reads in a function name: 5 -> "5", -5 -> "minus_5". */
export const nameNum = (k: number): string => (k < 0 ? `minus_${-k}` : String(k));

// Arithmetic with constants. Traps: division by zero (safe_div, mean_or_default), the sign of a
// negative number in digit handling (digit_op), boundaries (clamp, is_multiple with 0 and negatives).
import { defineFamily, nameNum, pdiv, pick, pmod, py, ri, ints, type PyValue } from './family.js';

const signed = (k: number) => (k < 0 ? `minus ${-k}` : `plus ${k}`);

export const addConst = defineFamily({
  name: 'add_const',
  sample: (r) => ({ k: ri(r, 2, 60) }),
  build: ({ k }, r) => ({
    fn: `add_${k}`,
    params: 'x',
    doc: `Return x plus ${k}.`,
    bodies: [`return x + ${k}`, `return ${k} + x`, `result = x + ${k}\nreturn result`],
    f: (x: number) => x + k,
    inputs: [[ri(r, 1, 20)], [0], [-ri(r, 1, 30)], [ri(r, 50, 300)]],
  }),
});

export const scaleShift = defineFamily({
  name: 'scale_shift',
  sample: (r) => ({ a: ri(r, 2, 9), b: pick(r, [-1, 1]) * ri(r, 1, 20) }),
  build: ({ a, b }, r) => ({
    fn: `times_${a}_${b < 0 ? 'minus' : 'plus'}_${Math.abs(b)}`,
    params: 'x',
    doc: `Return x times ${a}, ${signed(b)}.`,
    bodies: [
      `return x * ${a} ${b < 0 ? '-' : '+'} ${Math.abs(b)}`,
      `y = x * ${a}\nreturn y ${b < 0 ? '-' : '+'} ${Math.abs(b)}`,
      `return ${a} * x + (${b})`,
    ],
    f: (x: number) => x * a + b,
    inputs: [[ri(r, 1, 12)], [0], [-ri(r, 1, 12)], [ri(r, 20, 99)]],
  }),
});

const DIV_DEFAULTS: PyValue[] = [0, -1, null, 1, -2];
export const safeDiv = defineFamily({
  name: 'safe_div',
  sample: (r) => ({ op: pick(r, ['//', '%']), d: pick(r, DIV_DEFAULTS), k: ri(r, 0, 3) }),
  build: ({ op, d, k }, r) => {
    const what = op === '//' ? 'a divided by b, rounded down (a // b)' : 'the remainder of a divided by b (a % b)';
    const expr = k === 0 ? `a ${op} b` : `a ${op} b + ${k}`;
    return {
      fn: `${op === '//' ? 'safe_div' : 'safe_mod'}${k ? `_plus_${k}` : ''}_or_${d === null ? 'none' : nameNum(d as number)}`,
      params: 'a, b',
      doc: `Return ${what}${k ? ` plus ${k}` : ''}. If b is 0, return ${py(d)}.`,
      bodies: [
        `if b == 0:\n    return ${py(d)}\nreturn ${expr}`,
        `return ${py(d)} if b == 0 else ${expr}`,
        `if b != 0:\n    return ${expr}\nreturn ${py(d)}`,
      ],
      f: (a: number, b: number) => (b === 0 ? d : (op === '//' ? pdiv(a, b) : pmod(a, b)) + k),
      inputs: [[ri(r, 10, 50), ri(r, 2, 7)], [ri(r, 1, 30), 0], [0, ri(r, 2, 9)], [-ri(r, 5, 40), ri(r, 2, 6)], [ri(r, 1, 9), ri(r, 10, 20)]],
    };
  },
});

const MEAN_FILTERS = [
  { text: 'the numbers in xs', cond: '', f: (_: number) => true },
  { text: 'the positive numbers in xs', cond: 'x > 0', f: (x: number) => x > 0 },
  { text: 'the even numbers in xs', cond: 'x % 2 == 0', f: (x: number) => pmod(x, 2) === 0 },
];
export const meanOrDefault = defineFamily({
  name: 'mean_or_default',
  sample: (r) => ({ filter: r.int(MEAN_FILTERS.length), d: pick(r, [0, -1, null, 0.5]) }),
  build: ({ filter, d }, r) => {
    const flt = MEAN_FILTERS[filter];
    const D = py(d);
    const bodies = flt.cond
      ? [
          `vals = [x for x in xs if ${flt.cond}]\nif not vals:\n    return ${D}\nreturn sum(vals) / len(vals)`,
          `total = 0\ncount = 0\nfor x in xs:\n    if ${flt.cond}:\n        total += x\n        count += 1\nreturn total / count if count else ${D}`,
        ]
      : [
          `if not xs:\n    return ${D}\nreturn sum(xs) / len(xs)`,
          `if len(xs) == 0:\n    return ${D}\ntotal = 0\nfor x in xs:\n    total += x\nreturn total / len(xs)`,
        ];
    return {
      fn: ['mean', 'mean_positive', 'mean_even'][filter] + (d === null ? '_or_none' : `_or_${nameNum(d as number).replace('.', '_')}`),
      params: 'xs',
      doc: `Return the average of ${flt.text}. If there are none, return ${D}.`,
      bodies,
      f: (xs: number[]) => {
        const v = xs.filter(flt.f);
        return v.length ? v.reduce((a, b) => a + b, 0) / v.length : d;
      },
      inputs: [[[2, 4, 6, 8].map((x) => x + 2 * ri(r, 0, 5))], [[]], [[ri(r, 1, 9) * 2]], [[-3, -5, -7]], [ints(r, 5, -9, 20)]],
    };
  },
});

export const clamp = defineFamily({
  name: 'clamp',
  sample: (r) => {
    const lo = ri(r, -10, 10);
    return { lo, hi: lo + ri(r, 5, 30) };
  },
  build: ({ lo, hi }, r) => ({
    fn: `clamp_${nameNum(lo)}_to_${nameNum(hi)}`,
    params: 'x',
    doc: `Return x limited to the range ${lo} to ${hi}: ${lo} if x is below ${lo}, ${hi} if x is above ${hi}, otherwise x.`,
    bodies: [
      `return max(${lo}, min(${hi}, x))`,
      `if x < ${lo}:\n    return ${lo}\nif x > ${hi}:\n    return ${hi}\nreturn x`,
      `return min(max(x, ${lo}), ${hi})`,
    ],
    f: (x: number) => Math.max(lo, Math.min(hi, x)),
    inputs: [[ri(r, lo + 1, hi - 1)], [lo - ri(r, 1, 9)], [hi + ri(r, 1, 9)], [lo], [hi]],
  }),
});

// Digits of |n|: `str(n)` on a negative number yields '-', a plausible crash.
const DIGIT_OPS = ['sum', 'count', 'max', 'count_d'] as const;
export const digitOp = defineFamily({
  name: 'digit_op',
  sample: (r) => {
    const op = pick(r, DIGIT_OPS);
    return { op, d: op === 'count_d' ? ri(r, 0, 9) : 0 };
  },
  build: ({ op, d }, r) => {
    const digits = (n: number) => String(Math.abs(n)).split('').map(Number);
    const spec = {
      sum: {
        fn: 'digit_sum', doc: 'the sum of the digits of n',
        bodies: ['return sum(int(c) for c in str(abs(n)))', 'n = abs(n)\ntotal = 0\nwhile n > 0:\n    total += n % 10\n    n //= 10\nreturn total'],
        f: (n: number) => digits(n).reduce((a, b) => a + b, 0),
      },
      count: {
        fn: 'digit_count', doc: 'how many digits n has',
        bodies: ['return len(str(abs(n)))', 's = str(n)\nif s[0] == "-":\n    s = s[1:]\nreturn len(s)'],
        f: (n: number) => digits(n).length,
      },
      max: {
        fn: 'max_digit', doc: 'the largest digit of n',
        bodies: ['return max(int(c) for c in str(abs(n)))', 'return int(max(str(abs(n))))'],
        f: (n: number) => Math.max(...digits(n)),
      },
      count_d: {
        fn: `count_digit_${d}`, doc: `how many times the digit ${d} appears in n`,
        bodies: [`return str(abs(n)).count('${d}')`, `count = 0\nfor c in str(abs(n)):\n    if c == '${d}':\n        count += 1\nreturn count`],
        f: (n: number) => digits(n).filter((x) => x === d).length,
      },
    }[op as (typeof DIGIT_OPS)[number]];
    return {
      fn: spec.fn,
      params: 'n',
      doc: `Return ${spec.doc}. The sign of n is ignored.`,
      bodies: spec.bodies,
      f: spec.f,
      inputs: [[Number(`${ri(r, 1, 9)}${d}${ri(r, 0, 9)}${d}`)], [-Number(`${d}${ri(r, 1, 9)}${d}`)], [0], [ri(r, 1, 9)], [ri(r, 1000, 99999)]],
    };
  },
});

export const isMultiple = defineFamily({
  name: 'is_multiple',
  sample: (r) => ({ k: ri(r, 2, 15), negate: r.next() < 0.3 }),
  build: ({ k, negate }, r) => ({
    fn: negate ? `not_multiple_of_${k}` : `is_multiple_of_${k}`,
    params: 'n',
    doc: negate ? `Return True if n is not divisible by ${k}, otherwise False.` : `Return True if n is divisible by ${k}, otherwise False.`,
    bodies: negate
      ? [`return n % ${k} != 0`, `if n % ${k} == 0:\n    return False\nreturn True`]
      : [`return n % ${k} == 0`, `if n % ${k} == 0:\n    return True\nreturn False`],
    f: (n: number) => (pmod(n, k) === 0) !== negate,
    inputs: [[k * ri(r, 2, 9)], [k * ri(r, 1, 9) + ri(r, 1, k - 1)], [0], [-k * ri(r, 1, 5)], [k]],
  }),
});

export const ARITHMETIC = [addConst, scaleShift, safeDiv, meanOrDefault, clamp, digitOp, isMultiple];

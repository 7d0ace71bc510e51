// List transforms, filters, counting, running totals, indexing. Traps: indexing past the end
// (element_at, neighbours), max() of an empty list (extreme_or_default), None in a list (skip_none),
// off-by-one ranges (neighbours, every_nth), a running total read from an empty list.
import { COMPARISONS, defineFamily, nameNum, pick, pmod, py, ri, ints, type PyValue } from './family.js';

export const elementAt = defineFamily({
  name: 'element_at',
  sample: (r) => ({ i: pick(r, [0, 1, 2, 3, -1, -2]), d: pick(r, [null, 0, -1]) }),
  build: ({ i, d }, r) => {
    const D = py(d);
    const guard = i >= 0 ? `len(xs) > ${i}` : `len(xs) >= ${-i}`;
    return {
      fn: `item_${nameNum(i)}_or_${d === null ? 'none' : nameNum(d)}`,
      params: 'xs',
      doc: `Return xs[${i}], or ${D} if xs is too short to have that element.`,
      bodies: [
        `if ${guard}:\n    return xs[${i}]\nreturn ${D}`,
        `return xs[${i}] if ${guard} else ${D}`,
        `try:\n    return xs[${i}]\nexcept IndexError:\n    return ${D}`,
      ],
      f: (xs: number[]) => {
        const j = i >= 0 ? i : xs.length + i;
        return j >= 0 && j < xs.length ? xs[j] : d;
      },
      inputs: [[ints(r, 5, 1, 50)], [[]], [ints(r, Math.max(1, i >= 0 ? i : -i - 1), 1, 9)], [ints(r, Math.abs(i) + 1, 10, 30)]],
    };
  },
});

const EXTREME_FILTERS = [
  { text: '', cond: '', f: (_: number) => true, tag: '' },
  { text: 'even ', cond: 'x % 2 == 0', f: (x: number) => pmod(x, 2) === 0, tag: '_even' },
  { text: 'odd ', cond: 'x % 2 == 1', f: (x: number) => pmod(x, 2) === 1, tag: '_odd' },
  { text: 'positive ', cond: 'x > 0', f: (x: number) => x > 0, tag: '_positive' },
];
export const extremeOrDefault = defineFamily({
  name: 'extreme_or_default',
  sample: (r) => ({ op: pick(r, ['max', 'min']), filter: r.int(EXTREME_FILTERS.length), d: pick(r, [null, 0, -1]) }),
  build: ({ op, filter, d }, r) => {
    const flt = EXTREME_FILTERS[filter];
    const D = py(d);
    const bodies = flt.cond
      ? [
          `vals = [x for x in xs if ${flt.cond}]\nif not vals:\n    return ${D}\nreturn ${op}(vals)`,
          `vals = [x for x in xs if ${flt.cond}]\nreturn ${op}(vals) if vals else ${D}`,
        ]
      : [`if not xs:\n    return ${D}\nreturn ${op}(xs)`, `return ${op}(xs) if xs else ${D}`, `if len(xs) == 0:\n    return ${D}\nreturn ${op}(xs)`];
    return {
      fn: `${op === 'max' ? 'largest' : 'smallest'}${flt.tag}_or_${d === null ? 'none' : nameNum(d)}`,
      params: 'xs',
      doc: `Return the ${op === 'max' ? 'largest' : 'smallest'} ${flt.text}number in xs, or ${D} if there is none.`,
      bodies,
      f: (xs: number[]) => {
        const v = xs.filter(flt.f);
        return v.length ? (op === 'max' ? Math.max(...v) : Math.min(...v)) : d;
      },
      inputs: [[ints(r, 6, -20, 40)], [[]], [[ri(r, 1, 9) * 2 - 1]], [[-2, -4, 6, 8]], [[ri(r, 1, 50)]]],
    };
  },
});

export const keepCompare = defineFamily({
  name: 'keep_compare',
  sample: (r) => ({ c: r.int(4), k: ri(r, -5, 30) }),
  build: ({ c, k }, r) => {
    const cmp = COMPARISONS[c];
    return {
      fn: `keep_${cmp.name}_${nameNum(k)}`,
      params: 'xs',
      doc: `Return a list of the numbers in xs that are ${cmp.text} ${k}, in their original order.`,
      bodies: [
        `return [x for x in xs if x ${cmp.op} ${k}]`,
        `out = []\nfor x in xs:\n    if x ${cmp.op} ${k}:\n        out.append(x)\nreturn out`,
        `return list(filter(lambda x: x ${cmp.op} ${k}, xs))`,
      ],
      f: (xs: number[]) => xs.filter((x) => cmp.f(x, k)),
      inputs: [[[k - 3, k + 4, k, k + 1, k - 1, k + 10]], [[]], [[k]], [ints(r, 6, k - 20, k + 20)]],
    };
  },
});

export const mapAffine = defineFamily({
  name: 'map_affine',
  sample: (r) => ({ a: ri(r, 1, 9), b: ri(r, -9, 9) }),
  build: ({ a, b }, r) => {
    const expr = `x${a === 1 ? '' : ` * ${a}`}${b === 0 ? '' : b < 0 ? ` - ${-b}` : ` + ${b}`}`;
    return {
      fn: `map_times_${a}_plus_${nameNum(b)}`,
      params: 'xs',
      doc: `Return a new list with each number x in xs replaced by ${expr}.`,
      bodies: [
        `return [${expr} for x in xs]`,
        `out = []\nfor x in xs:\n    out.append(${expr})\nreturn out`,
        `return list(map(lambda x: ${expr}, xs))`,
      ],
      f: (xs: number[]) => xs.map((x) => x * a + b),
      inputs: [[ints(r, 4, 0, 20)], [[]], [[0]], [ints(r, 3, -9, -1)]],
    };
  },
});

export const runningTotal = defineFamily({
  name: 'running_total',
  sample: (r) => ({ start: pick(r, [0, 0, ri(r, 1, 30), -ri(r, 1, 10)]), mode: pick(r, ['sum', 'sum', 'max']) }),
  build: ({ start, mode }, r) => {
    const isMax = mode === 'max';
    return {
      fn: isMax ? `running_max${start ? `_from_${nameNum(start)}` : ''}` : `running_total${start ? `_from_${nameNum(start)}` : ''}`,
      params: 'xs',
      doc: isMax
        ? `Return a list whose i-th item is the largest of ${start ? `${start} and ` : ''}xs[0] .. xs[i]. An empty list gives [].`
        : `Return a list whose i-th item is ${start ? `${start} plus ` : ''}the sum of xs[0] .. xs[i]. An empty list gives [].`,
      bodies: isMax
        ? start
          ? [`out = []\nbest = ${start}\nfor x in xs:\n    best = max(best, x)\n    out.append(best)\nreturn out`]
          : [
              `out = []\nfor x in xs:\n    out.append(x if not out else max(out[-1], x))\nreturn out`,
              `return [max(xs[:i + 1]) for i in range(len(xs))]`,
            ]
        : [
            `out = []\ntotal = ${start}\nfor x in xs:\n    total += x\n    out.append(total)\nreturn out`,
            `return [${start ? `${start} + ` : ''}sum(xs[:i + 1]) for i in range(len(xs))]`,
          ],
      f: (xs: number[]) => {
        const out: number[] = [];
        let acc = isMax ? (start ? start : -Infinity) : start;
        for (const x of xs) {
          acc = isMax ? Math.max(acc, x) : acc + x;
          out.push(acc);
        }
        return out;
      },
      inputs: [[ints(r, 4, 1, 9)], [[]], [[ri(r, -9, 9)]], [ints(r, 5, -10, 10)]],
    };
  },
});

export const countCompare = defineFamily({
  name: 'count_compare',
  sample: (r) => ({ c: r.int(COMPARISONS.length), k: ri(r, -5, 30) }),
  build: ({ c, k }, r) => {
    const cmp = COMPARISONS[c];
    return {
      fn: `count_${cmp.name}_${nameNum(k)}`,
      params: 'xs',
      doc: `Return how many numbers in xs are ${cmp.text} ${k}.`,
      bodies: [
        `return sum(1 for x in xs if x ${cmp.op} ${k})`,
        `count = 0\nfor x in xs:\n    if x ${cmp.op} ${k}:\n        count += 1\nreturn count`,
        `return len([x for x in xs if x ${cmp.op} ${k}])`,
      ],
      f: (xs: number[]) => xs.filter((x) => cmp.f(x, k)).length,
      inputs: [[[k - 2, k, k + 3, k + 1, k]], [[]], [ints(r, 6, k - 15, k + 15)], [[k - 1]]],
    };
  },
});

export const everyNth = defineFamily({
  name: 'every_nth',
  sample: (r) => ({ start: ri(r, 0, 2), step: ri(r, 2, 3), op: pick(r, ['sum', 'list']) }),
  build: ({ start, step, op }, r) => {
    const sl = `xs[${start || ''}::${step}]`;
    const sum = op === 'sum';
    return {
      fn: `${sum ? 'sum' : 'take'}_every_${step}_from_${start}`,
      params: 'xs',
      doc: `${sum ? 'Return the sum of' : 'Return a list of'} xs[${start}], xs[${start + step}], xs[${start + 2 * step}], ... (every ${step === 2 ? 'second' : 'third'} item starting at index ${start})${sum ? '; 0 if there are none' : ''}.`,
      bodies: sum
        ? [`return sum(${sl})`, `total = 0\nfor i in range(${start}, len(xs), ${step}):\n    total += xs[i]\nreturn total`]
        : [`return ${sl}`, `return [xs[i] for i in range(${start}, len(xs), ${step})]`],
      f: (xs: number[]) => {
        const v = xs.filter((_, i) => i >= start && (i - start) % step === 0);
        return sum ? v.reduce((a, b) => a + b, 0) : v;
      },
      inputs: [[ints(r, 7, 1, 20)], [[]], [ints(r, start + 1, 1, 9)], [ints(r, 10, -5, 15)]],
    };
  },
});

const PAIR_OPS = [
  { op: '-', text: 'difference', f: (a: number, b: number) => b - a },
  { op: '+', text: 'sum', f: (a: number, b: number) => a + b },
  { op: '*', text: 'product', f: (a: number, b: number) => a * b },
];
export const neighbours = defineFamily({
  name: 'neighbours',
  sample: (r) => ({ o: r.int(PAIR_OPS.length), g: pick(r, [1, 1, 2, 3]) }),
  build: ({ o, g }, r) => {
    const p = PAIR_OPS[o];
    const e = p.op === '-' ? `xs[i + ${g}] - xs[i]` : `xs[i] ${p.op} xs[i + ${g}]`;
    return {
      fn: `${['gaps', 'pair_sums', 'pair_products'][o]}${g > 1 ? `_${g}_apart` : ''}`,
      params: 'xs',
      doc: `Return the list of ${e} for every i where both items exist. Lists shorter than ${g + 1} give [].`,
      bodies: [
        `return [${e} for i in range(len(xs) - ${g})]`,
        `out = []\nfor i in range(len(xs) - ${g}):\n    out.append(${e})\nreturn out`,
        `return [${p.op === '-' ? 'b - a' : `a ${p.op} b`} for a, b in zip(xs, xs[${g}:])]`,
      ],
      f: (xs: number[]) => xs.slice(0, Math.max(0, xs.length - g)).map((a, i) => p.f(a, xs[i + g])),
      inputs: [[ints(r, 5, 1, 20)], [[]], [ints(r, g, 1, 9)], [ints(r, g + 1, -9, 9)]],
    };
  },
});

// None mixed into a list: sum() or max() over it raises TypeError.
export const skipNone = defineFamily({
  name: 'skip_none',
  sample: (r) => {
    const op = pick(r, ['sum', 'sum', 'count', 'max']);
    return { op, k: op === 'sum' ? ri(r, 1, 9) : 0, d: op === 'max' ? pick(r, [null, 0]) : 0 };
  },
  build: ({ op, k, d }, r) => {
    const spec = {
      sum: {
        fn: k === 1 ? 'sum_skip_none' : `sum_skip_none_times_${k}`,
        doc: `Return the sum of the numbers in xs${k === 1 ? '' : ` times ${k}`}, skipping None values.`,
        bodies: [`return sum(x for x in xs if x is not None)${k === 1 ? '' : ` * ${k}`}`, `total = 0\nfor x in xs:\n    if x is not None:\n        total += x\nreturn total${k === 1 ? '' : ` * ${k}`}`],
        f: (xs: (number | null)[]) => xs.reduce<number>((a, x) => a + (x ?? 0), 0) * k,
      },
      count: {
        fn: 'count_not_none', doc: 'Return how many items of xs are not None.',
        bodies: ['return sum(1 for x in xs if x is not None)', 'return len([x for x in xs if x is not None])'],
        f: (xs: (number | null)[]) => xs.filter((x) => x !== null).length,
      },
      max: {
        fn: `max_skip_none_or_${d === null ? 'none' : nameNum(d)}`, doc: `Return the largest number in xs, skipping None values; ${py(d)} if there is no number.`,
        bodies: [`vals = [x for x in xs if x is not None]\nreturn max(vals) if vals else ${py(d)}`, `vals = [x for x in xs if x is not None]\nif not vals:\n    return ${py(d)}\nreturn max(vals)`],
        f: (xs: (number | null)[]) => {
          const v = xs.filter((x): x is number => x !== null);
          return v.length ? Math.max(...v) : d;
        },
      },
    }[op as 'sum'];
    const withNone = (xs: number[]): PyValue[] => xs.flatMap((x, i) => (i % 2 ? [x, null] : [x]));
    return {
      fn: spec.fn, params: 'xs', doc: spec.doc, bodies: spec.bodies, f: spec.f,
      inputs: [[withNone(ints(r, 4, 1, 20))], [[]], [[null, null]], [ints(r, 3, -5, 9)]],
    };
  },
});

export const indexOfFirst = defineFamily({
  name: 'index_of_first',
  sample: (r) => ({ c: r.int(5), k: ri(r, -5, 30), d: pick(r, [-1, null]) }),
  build: ({ c, k, d }, r) => {
    const cmp = COMPARISONS[c];
    return {
      fn: `index_of_first_${cmp.name}_${nameNum(k)}_or_${d === null ? 'none' : nameNum(d)}`,
      params: 'xs',
      doc: `Return the index of the first number in xs that is ${cmp.text} ${k}, or ${py(d)} if there is none.`,
      bodies: [
        `for i, x in enumerate(xs):\n    if x ${cmp.op} ${k}:\n        return i\nreturn ${py(d)}`,
        `for i in range(len(xs)):\n    if xs[i] ${cmp.op} ${k}:\n        return i\nreturn ${py(d)}`,
      ],
      f: (xs: number[]) => {
        const i = xs.findIndex((x) => cmp.f(x, k));
        return i < 0 ? d : i;
      },
      inputs: [[[k - 30, k - 20, k + 2, k, k - 1, k + 7]], [[]], [ints(r, 5, k - 10, k + 10)], [[k]]],
    };
  },
});

export const LISTS = [elementAt, extremeOrDefault, keepCompare, mapAffine, runningTotal, countCompare, everyNth, neighbours, skipNone, indexOfFirst];

// Comparisons worded in English, branching on thresholds, and int/str type traps
// (concatenating an int to a str, summing numeric strings, parsing non-numbers).
import { COMPARISONS, defineFamily, nameNum, pick, py, ri, ints, WORDS } from './family.js';

export const compareConst = defineFamily({
  name: 'compare_const',
  sample: (r) => ({ c: r.int(COMPARISONS.length), k: ri(r, -20, 60) }),
  build: ({ c, k }, r) => {
    const cmp = COMPARISONS[c];
    return {
      fn: `is_${cmp.name}_${nameNum(k)}`,
      params: 'x',
      doc: `Return True if x is ${cmp.text} ${k}, otherwise False.`,
      bodies: [`return x ${cmp.op} ${k}`, `if x ${cmp.op} ${k}:\n    return True\nreturn False`, `return True if x ${cmp.op} ${k} else False`],
      f: (x: number) => cmp.f(x, k),
      inputs: [[k + ri(r, 2, 20)], [k], [k + 1], [k - 1], [k - ri(r, 5, 30)]],
    };
  },
});

export const inRange = defineFamily({
  name: 'in_range',
  sample: (r) => {
    const lo = ri(r, -10, 30);
    return { lo, hi: lo + ri(r, 3, 40), inclusive: r.next() < 0.6 };
  },
  build: ({ lo, hi, inclusive }, r) => ({
    fn: `${inclusive ? 'between' : 'strictly_between'}_${nameNum(lo)}_and_${nameNum(hi)}`,
    params: 'x',
    doc: inclusive
      ? `Return True if x is between ${lo} and ${hi}, including both ends.`
      : `Return True if x is strictly between ${lo} and ${hi} (not equal to either).`,
    bodies: inclusive
      ? [`return ${lo} <= x <= ${hi}`, `return x >= ${lo} and x <= ${hi}`, `if x < ${lo} or x > ${hi}:\n    return False\nreturn True`]
      : [`return ${lo} < x < ${hi}`, `return x > ${lo} and x < ${hi}`, `if x <= ${lo} or x >= ${hi}:\n    return False\nreturn True`],
    f: (x: number) => (inclusive ? lo <= x && x <= hi : lo < x && x < hi),
    inputs: [[ri(r, lo + 1, hi - 1)], [lo], [hi], [lo - 1], [hi + ri(r, 1, 10)]],
  }),
});

const SIGN_WORDS = [
  ['positive', 'negative', 'zero'], ['up', 'down', 'flat'], ['above', 'below', 'equal'],
  ['gain', 'loss', 'even'], ['high', 'low', 'level'], ['hot', 'cold', 'mild'],
] as const;
export const signLabel = defineFamily({
  name: 'sign_label',
  sample: (r) => ({ w: r.int(SIGN_WORDS.length), t: pick(r, [0, 0, ri(r, -10, 50)]) }),
  build: ({ w, t }, r) => {
    const [a, b, c] = SIGN_WORDS[w];
    return {
      fn: `${a}_${b}_${c}${t ? `_vs_${nameNum(t)}` : ''}`,
      params: 'x',
      doc: `Return '${a}' if x is greater than ${t}, '${b}' if x is less than ${t}, and '${c}' if x equals ${t}.`,
      bodies: [
        `if x > ${t}:\n    return '${a}'\nelif x < ${t}:\n    return '${b}'\nelse:\n    return '${c}'`,
        `if x == ${t}:\n    return '${c}'\nif x > ${t}:\n    return '${a}'\nreturn '${b}'`,
        `return '${a}' if x > ${t} else '${b}' if x < ${t} else '${c}'`,
      ],
      f: (x: number) => (x > t ? a : x < t ? b : c),
      inputs: [[t + ri(r, 1, 20)], [t], [t - ri(r, 1, 20)], [t + 1], [t - 1]],
    };
  },
});

export const largerPlus = defineFamily({
  name: 'larger_plus',
  sample: (r) => ({ op: pick(r, ['max', 'min']), k: ri(r, 1, 30) }),
  build: ({ op, k }, r) => ({
    fn: `${op === 'max' ? 'larger' : 'smaller'}_plus_${k}`,
    params: 'a, b',
    doc: `Return the ${op === 'max' ? 'larger' : 'smaller'} of a and b, plus ${k}.`,
    bodies: [
      `return ${op}(a, b) + ${k}`,
      `if a ${op === 'max' ? '>' : '<'} b:\n    return a + ${k}\nreturn b + ${k}`,
      `best = a if a ${op === 'max' ? '>=' : '<='} b else b\nreturn best + ${k}`,
    ],
    f: (a: number, b: number) => (op === 'max' ? Math.max(a, b) : Math.min(a, b)) + k,
    inputs: [[ri(r, 1, 20), ri(r, 21, 40)], [ri(r, 21, 40), ri(r, 1, 20)], [5, 5], [-ri(r, 1, 9), 0]],
  }),
});

const GRADE_WORDS = [['pass', 'fail'], ['yes', 'no'], ['big', 'small'], ['ok', 'low'], ['win', 'lose'], ['good', 'bad']] as const;
export const grade = defineFamily({
  name: 'grade',
  sample: (r) => ({ w: r.int(GRADE_WORDS.length), t: ri(r, 5, 95), strict: r.next() < 0.4 }),
  build: ({ w, t, strict }, r) => {
    const [a, b] = GRADE_WORDS[w];
    const op = strict ? '>' : '>=';
    return {
      fn: `${a}_or_${b}_${strict ? 'above' : 'from'}_${t}`,
      params: 'score',
      doc: `Return '${a}' if score is ${strict ? 'greater than' : 'at least'} ${t}, otherwise '${b}'.`,
      bodies: [`if score ${op} ${t}:\n    return '${a}'\nreturn '${b}'`, `return '${a}' if score ${op} ${t} else '${b}'`],
      f: (s: number) => ((strict ? s > t : s >= t) ? a : b),
      inputs: [[t + ri(r, 2, 9)], [t], [t - 1], [t + 1], [0]],
    };
  },
});

// Types: 'item-' + n raises TypeError; the fix is str(n) or an f-string.
const SEPS = ['-', ':', '_', '#'] as const;
export const labelNumber = defineFamily({
  name: 'label_number',
  sample: (r) => ({ word: pick(r, WORDS), sep: pick(r, SEPS) }),
  build: ({ word, sep }, r) => ({
    fn: `${word}_${{ '-': 'dash', ':': 'colon', '_': 'underscore', '#': 'hash' }[sep as '-']}_label`,
    params: 'n',
    doc: `Return the text '${word}${sep}' followed by the number n, e.g. '${word}${sep}7' for 7.`,
    bodies: [`return '${word}${sep}' + str(n)`, `return f'${word}${sep}{n}'`, `return '${word}${sep}{}'.format(n)`],
    f: (n: number) => `${word}${sep}${n}`,
    inputs: [[ri(r, 1, 99)], [0], [-ri(r, 1, 9)], [ri(r, 100, 999)]],
  }),
});

export const sumStrings = defineFamily({
  name: 'sum_strings',
  sample: (r) => ({ k: ri(r, 1, 9) }),
  build: ({ k }, r) => ({
    fn: k === 1 ? 'sum_text_numbers' : `sum_text_numbers_times_${k}`,
    params: 'xs',
    doc: `xs is a list of numbers written as strings. Return their total as an int${k === 1 ? '' : `, times ${k}`}; 0 for an empty list.`,
    bodies: k === 1
      ? ['return sum(int(s) for s in xs)', 'total = 0\nfor s in xs:\n    total += int(s)\nreturn total']
      : [`return sum(int(s) for s in xs) * ${k}`, `total = 0\nfor s in xs:\n    total += int(s)\nreturn total * ${k}`],
    f: (xs: string[]) => xs.reduce((a, s) => a + Number(s), 0) * k,
    inputs: [[ints(r, 3, 1, 50).map(String)], [[]], [[String(ri(r, 1, 9))]], [['-4', '10', String(ri(r, 0, 20))]]],
  }),
});

export const toIntOr = defineFamily({
  name: 'to_int_or',
  sample: (r) => ({ d: pick(r, [-1, 0, null]), k: pick(r, [0, 0, ri(r, 1, 20)]) }),
  build: ({ d, k }, r) => {
    const val = k ? `int(s) + ${k}` : 'int(s)';
    return {
      fn: `parse${k ? `_plus_${k}` : ''}_or_${d === null ? 'none' : nameNum(d)}`,
      params: 's',
      doc: `If s is made only of digits, return its integer value${k ? ` plus ${k}` : ''}; otherwise (including the empty string) return ${py(d)}.`,
      bodies: [
        `if s.isdigit():\n    return ${val}\nreturn ${py(d)}`,
        `if not s or not s.isdigit():\n    return ${py(d)}\nreturn ${val}`,
        `return ${val} if s.isdigit() else ${py(d)}`,
      ],
      f: (s: string) => (/^[0-9]+$/.test(s) ? Number(s) + k : d),
      inputs: [[String(ri(r, 10, 999))], [''], [pick(r, WORDS)], ['0'], [`${ri(r, 1, 9)}a`]],
    };
  },
});

export const COMPARE = [compareConst, inRange, signLabel, largerPlus, grade, labelNumber, sumStrings, toIntOr];

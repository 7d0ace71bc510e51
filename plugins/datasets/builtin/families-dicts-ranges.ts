// Dict building and lookup (traps: KeyError on a missing key, d[w] += 1 on a fresh key) and
// range-based problems (traps: off-by-one ends, empty ranges, branch order in fizz).
import { defineFamily, nameNum, pick, py, ri, ints, sentence, words, WORDS, type PyValue } from './family.js';

export const wordCounts = defineFamily({
  name: 'word_counts',
  sample: (r) => ({ k: ri(r, 1, 4), lower: r.next() < 0.4 }),
  build: ({ k, lower }, r) => {
    const src = lower ? 's.lower().split()' : 's.split()';
    const cond = k > 1 ? `\n    if len(w) >= ${k}:` : '';
    const ind = k > 1 ? '    ' : '';
    return {
      fn: `word_counts${k > 1 ? `_min_${k}` : ''}${lower ? '_lower' : ''}`,
      params: 's',
      doc: `Return a dict mapping each word of s${lower ? ' (in lower case)' : ''}${k > 1 ? ` with at least ${k} letters` : ''} to how many times it appears.`,
      bodies: [
        `counts = {}\nfor w in ${src}:${cond}\n    ${ind}counts[w] = counts.get(w, 0) + 1\nreturn counts`,
        `counts = {}\nfor w in ${src}:${cond}\n    ${ind}if w not in counts:\n    ${ind}    counts[w] = 0\n    ${ind}counts[w] += 1\nreturn counts`,
      ],
      f: (s: string) => {
        const out: Record<string, number> = {};
        for (const w0 of s.split(/\s+/).filter(Boolean)) {
          const w = lower ? w0.toLowerCase() : w0;
          if (w.length >= k) out[w] = (out[w] ?? 0) + 1;
        }
        return out;
      },
      inputs: [[`${sentence(r, 3)} ${pick(r, WORDS)} ${pick(r, WORDS)}`], [''], ['a a b'], [`Cat cat ${pick(r, WORDS).toUpperCase()}`]],
    };
  },
});

export const lookupPlus = defineFamily({
  name: 'lookup_plus',
  sample: (r) => ({ k: ri(r, 0, 20), d: pick(r, [0, -1, null]) }),
  build: ({ k, d }, r) => {
    const v = k ? `d[key] + ${k}` : 'd[key]';
    const dict = (): Record<string, PyValue> => Object.fromEntries(words(r, 3).map((w) => [w, ri(r, 1, 50)]));
    const d1 = dict();
    const present = Object.keys(d1)[0];
    return {
      fn: `lookup${k ? `_plus_${k}` : ''}_or_${d === null ? 'none' : nameNum(d)}`,
      params: 'd, key',
      doc: `Return d[key]${k ? ` plus ${k}` : ''} if key is in the dict d, otherwise ${py(d)}.`,
      bodies: [
        `if key in d:\n    return ${v}\nreturn ${py(d)}`,
        `return ${v} if key in d else ${py(d)}`,
        `if key not in d:\n    return ${py(d)}\nreturn ${v}`,
      ],
      f: (dd: Record<string, number>, key: string) => (key in dd ? dd[key] + k : d),
      inputs: [[d1, present], [{}, 'cat'], [dict(), 'zebra'], [{ a: 0 }, 'a']],
    };
  },
});

export const rangeDict = defineFamily({
  name: 'range_dict',
  sample: (r) => {
    const op = pick(r, ['times', 'plus', 'square']);
    return { op, k: op === 'square' ? 0 : ri(r, 2, 9), from: pick(r, [0, 1]) };
  },
  build: ({ op, k, from }, r) => {
    const e = op === 'times' ? `i * ${k}` : op === 'plus' ? `i + ${k}` : 'i * i';
    const g = (i: number) => (op === 'times' ? i * k : op === 'plus' ? i + k : i * i);
    return {
      fn: `${op === 'square' ? 'squares' : `${op}_${k}`}_map_from_${from}`,
      params: 'n',
      doc: `Return a dict mapping each integer i from ${from} to n (inclusive) to ${e}. If n < ${from}, return {}.`,
      bodies: [
        `return {i: ${e} for i in range(${from}, n + 1)}`,
        `out = {}\nfor i in range(${from}, n + 1):\n    out[i] = ${e}\nreturn out`,
      ],
      f: (n: number) => {
        const out: Record<string, number> = {};
        for (let i = from; i <= n; i++) out[`#${i}`] = g(i);
        return out;
      },
      inputs: [[ri(r, 3, 6)], [0], [1], [-2]],
    };
  },
});

export const sumValues = defineFamily({
  name: 'sum_values',
  sample: (r) => ({ k: ri(r, 0, 30), keys: r.next() < 0.4 }),
  build: ({ k, keys }, r) => {
    const dict = (): Record<string, number> => Object.fromEntries(words(r, 4).map((w) => [w, ri(r, Math.max(0, k - 15), k + 15)]));
    return keys
      ? {
          fn: `keys_at_least_${k}`,
          params: 'd',
          doc: `Return a sorted list of the keys of d whose value is at least ${k}.`,
          bodies: [`return sorted(key for key, v in d.items() if v >= ${k})`, `out = []\nfor key in d:\n    if d[key] >= ${k}:\n        out.append(key)\nreturn sorted(out)`],
          f: (d: Record<string, number>) => Object.keys(d).filter((x) => d[x] >= k).sort(),
          inputs: [[dict()], [{}], [{ x: k, y: k - 1 }], [dict()]],
        }
      : {
          fn: `total_above_${k}`,
          params: 'd',
          doc: `Return the sum of the values of d that are greater than ${k}; 0 if there are none.`,
          bodies: [`return sum(v for v in d.values() if v > ${k})`, `total = 0\nfor key in d:\n    if d[key] > ${k}:\n        total += d[key]\nreturn total`],
          f: (d: Record<string, number>) => Object.values(d).filter((v) => v > k).reduce((a, b) => a + b, 0),
          inputs: [[dict()], [{}], [{ x: k, y: k + 1 }], [dict()]],
        };
  },
});

export const sumRange = defineFamily({
  name: 'sum_range',
  sample: (r) => ({ a: ri(r, 0, 5), step: pick(r, [1, 1, 2, 3]) }),
  build: ({ a, step }, r) => {
    const rng = `range(${a}, n + 1${step > 1 ? `, ${step}` : ''})`;
    return {
      fn: `sum_from_${a}${step > 1 ? `_step_${step}` : ''}`,
      params: 'n',
      doc: `Return ${step > 1 ? `${a} + ${a + step} + ${a + 2 * step} + ...` : `${a} + ${a + 1} + ... + n`}, adding every ${step > 1 ? `${step === 2 ? 'second' : 'third'} ` : ''}integer from ${a} up to n inclusive; 0 if n < ${a}.`,
      bodies: [`return sum(${rng})`, `total = 0\nfor i in ${rng}:\n    total += i\nreturn total`],
      f: (n: number) => {
        let t = 0;
        for (let i = a; i <= n; i += step) t += i;
        return t;
      },
      inputs: [[ri(r, a + 4, a + 20)], [a], [a - 1], [a + step]],
    };
  },
});

const FIZZ_WORDS = [['Fizz', 'Buzz'], ['Foo', 'Bar'], ['Ping', 'Pong'], ['Tic', 'Tac'], ['Hip', 'Hop']] as const;
export const fizz = defineFamily({
  name: 'fizz',
  sample: (r) => {
    const a = ri(r, 2, 5);
    return { a, b: pick(r, [2, 3, 5, 7].filter((x) => x !== a && x % a !== 0 && a % x !== 0)), w: r.int(FIZZ_WORDS.length) };
  },
  build: ({ a, b, w }, r) => {
    const [x, y] = FIZZ_WORDS[w];
    return {
      fn: `${x.toLowerCase()}_${y.toLowerCase()}_${a}_${b}`,
      params: 'n',
      doc: `Return '${x}${y}' if n is divisible by both ${a} and ${b}, '${x}' if only by ${a}, '${y}' if only by ${b}, otherwise n as a string.`,
      bodies: [
        `if n % ${a} == 0 and n % ${b} == 0:\n    return '${x}${y}'\nif n % ${a} == 0:\n    return '${x}'\nif n % ${b} == 0:\n    return '${y}'\nreturn str(n)`,
        `out = ''\nif n % ${a} == 0:\n    out += '${x}'\nif n % ${b} == 0:\n    out += '${y}'\nreturn out or str(n)`,
      ],
      f: (n: number) => (n % a === 0 && n % b === 0 ? x + y : n % a === 0 ? x : n % b === 0 ? y : String(n)),
      inputs: [[a * b * ri(r, 1, 3)], [a], [b], [a * b + 1], [a * b * 2 + a]],
    };
  },
});

export const countdown = defineFamily({
  name: 'countdown',
  sample: (r) => ({ k: ri(r, 1, 4), e: ri(r, 0, 3) }),
  build: ({ k, e }, r) => ({
    fn: `countdown_by_${k}_to_${e}`,
    params: 'n',
    doc: `Return the list n, n - ${k}, n - ${2 * k}, ... keeping only numbers that are at least ${e}. If n < ${e}, return [].`,
    bodies: [`return list(range(n, ${e - 1}, -${k}))`, `out = []\nwhile n >= ${e}:\n    out.append(n)\n    n -= ${k}\nreturn out`],
    f: (n: number) => {
      const out: number[] = [];
      for (let i = n; i >= e; i -= k) out.push(i);
      return out;
    },
    inputs: [[e + ri(r, 5, 12)], [e], [e - 1], [e + k]],
  }),
});

export const multiples = defineFamily({
  name: 'multiples',
  sample: (r) => ({ k: ri(r, 2, 12), from0: r.next() < 0.3 }),
  build: ({ k, from0 }, r) => ({
    fn: `first_multiples_of_${k}${from0 ? '_from_0' : ''}`,
    params: 'n',
    doc: `Return a list of the first n multiples of ${k}, starting with ${from0 ? 0 : k}.`,
    bodies: from0
      ? [`return [${k} * i for i in range(n)]`, `return list(range(0, ${k} * n, ${k}))`]
      : [`return [${k} * i for i in range(1, n + 1)]`, `out = []\nfor i in range(1, n + 1):\n    out.append(i * ${k})\nreturn out`],
    f: (n: number) => Array.from({ length: Math.max(0, n) }, (_, i) => k * (from0 ? i : i + 1)),
    inputs: [[ri(r, 3, 6)], [0], [1], [ri(r, 7, 10)]],
  }),
});

export const productOf = defineFamily({
  name: 'product_of',
  sample: (r) => ({ k: ri(r, 1, 9), skipZero: r.next() < 0.4 }),
  build: ({ k, skipZero }, r) => ({
    fn: `product${skipZero ? '_skip_zeros' : ''}${k > 1 ? `_times_${k}` : ''}`,
    params: 'xs',
    doc: `Return the product of the numbers in xs${skipZero ? ' that are not 0' : ''}${k > 1 ? `, times ${k}` : ''}. The product of no numbers is 1.`,
    bodies: [
      `result = ${k}\nfor x in xs:\n${skipZero ? '    if x != 0:\n        result *= x' : '    result *= x'}\nreturn result`,
      `p = 1\nfor x in xs:\n${skipZero ? '    if x:\n        p = p * x' : '    p = p * x'}\nreturn p${k > 1 ? ` * ${k}` : ''}`,
    ],
    f: (xs: number[]) => xs.filter((x) => !skipZero || x !== 0).reduce((a, b) => a * b, 1) * k,
    inputs: [[ints(r, 3, 1, 6)], [[]], [[0, ri(r, 2, 5), 3]], [[-2, ri(r, 1, 4)]]],
  }),
});

export const DICTS_RANGES = [wordCounts, lookupPlus, rangeDict, sumValues, sumRange, fizz, countdown, multiples, productOf];

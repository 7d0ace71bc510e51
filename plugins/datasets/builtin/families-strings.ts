// String transforms and counting. Traps: indexing an empty string or an empty word list
// (first_char, pick_word, initials), the empty input everywhere.
import { defineFamily, pick, py, ri, sentence, words, WORDS } from './family.js';

export const repeatStr = defineFamily({
  name: 'repeat_str',
  sample: (r) => ({ k: ri(r, 2, 6), sep: pick(r, ['', '-', ' ', ',', '+']) }),
  build: ({ k, sep }, r) => ({
    fn: `repeat_${k}${sep ? `_with_${{ '-': 'dash', ' ': 'space', ',': 'comma', '+': 'plus' }[sep as '-']}` : ''}`,
    params: 's',
    doc: sep ? `Return s repeated ${k} times, joined by ${py(sep)}.` : `Return s repeated ${k} times.`,
    bodies: sep
      ? [`return ${py(sep)}.join([s] * ${k})`, `parts = []\nfor _ in range(${k}):\n    parts.append(s)\nreturn ${py(sep)}.join(parts)`]
      : [`return s * ${k}`, `out = ''\nfor _ in range(${k}):\n    out += s\nreturn out`],
    f: (s: string) => Array(k).fill(s).join(sep),
    inputs: [[pick(r, WORDS)], [''], ['x'], [pick(r, WORDS) + 'z']],
  }),
});

const BRACKETS = [['(', ')'], ['[', ']'], ['<', '>'], ['*', '*'], ['{', '}'], ['|', '|'], ['-', '-']] as const;
export const wrap = defineFamily({
  name: 'wrap',
  sample: (r) => ({ b: r.int(BRACKETS.length), n: ri(r, 1, 3) }),
  build: ({ b, n }, r) => {
    const pre = BRACKETS[b][0].repeat(n);
    const post = BRACKETS[b][1].repeat(n);
    return {
      fn: `wrap_${['parens', 'square', 'angle', 'stars', 'braces', 'bars', 'dashes'][b]}_${n}`,
      params: 's',
      doc: `Return s with ${py(pre)} before it and ${py(post)} after it.`,
      bodies: [`return ${py(pre)} + s + ${py(post)}`, `return ''.join([${py(pre)}, s, ${py(post)}])`, `out = ${py(pre)}\nout += s\nreturn out + ${py(post)}`],
      f: (s: string) => pre + s + post,
      inputs: [[pick(r, WORDS)], [''], [sentence(r, 2)]],
    };
  },
});

export const firstChar = defineFamily({
  name: 'first_char',
  sample: (r) => ({ last: r.next() < 0.5, d: pick(r, ['', '?', null, '-']) }),
  build: ({ last, d }, r) => {
    const idx = last ? '-1' : '0';
    return {
      fn: `${last ? 'last' : 'first'}_char_or_${d === null ? 'none' : { '': 'empty', '?': 'question', '-': 'dash' }[d as '']}`,
      params: 's',
      doc: `Return the ${last ? 'last' : 'first'} character of s, or ${py(d)} if s is empty.`,
      bodies: [
        `if not s:\n    return ${py(d)}\nreturn s[${idx}]`,
        `if len(s) == 0:\n    return ${py(d)}\nreturn s[${idx}]`,
        `return s[${idx}] if s else ${py(d)}`,
      ],
      f: (s: string) => (s.length ? (last ? s[s.length - 1] : s[0]) : d),
      inputs: [[pick(r, WORDS)], [''], ['q'], [sentence(r, 2)]],
    };
  },
});

export const countChar = defineFamily({
  name: 'count_char',
  sample: (r) => ({ c: pick(r, ['a', 'e', 'o', 's', 't', 'r', 'n', ' ']), ci: r.next() < 0.35 }),
  build: ({ c, ci }, r) => {
    const name = c === ' ' ? 'spaces' : `${c}s`;
    const src = ci ? 's.lower()' : 's';
    return {
      fn: `count_${name}${ci ? '_any_case' : ''}`,
      params: 's',
      doc: `Return how many times ${py(c)} appears in s${ci ? ', ignoring upper/lower case' : ''}.`,
      bodies: [
        `return ${src}.count(${py(c)})`,
        `count = 0\nfor ch in ${src}:\n    if ch == ${py(c)}:\n        count += 1\nreturn count`,
        `return sum(1 for ch in ${src} if ch == ${py(c)})`,
      ],
      f: (s: string) => (ci ? s.toLowerCase() : s).split(c).length - 1,
      inputs: [[`${sentence(r, 3)} ${c}${c}`], [''], ['xyz'], [(c + pick(r, WORDS) + ' ').toUpperCase() + c]],
    };
  },
});

export const replaceChar = defineFamily({
  name: 'replace_char',
  sample: (r) => ({ a: pick(r, ['a', 'e', 'o', ' ', 's']), b: pick(r, ['_', '*', 'x', '', '0']) }),
  build: ({ a, b }, r) => {
    const nm = (ch: string) => ({ ' ': 'space', _: 'underscore', '*': 'star', '': 'nothing', '0': 'zero' })[ch] ?? ch;
    return {
      fn: `${nm(a)}_to_${nm(b)}`,
      params: 's',
      doc: `Return s with every ${py(a)} replaced by ${py(b)}.`,
      bodies: [`return s.replace(${py(a)}, ${py(b)})`, `return ''.join(${py(b)} if ch == ${py(a)} else ch for ch in s)`],
      f: (s: string) => s.split(a).join(b),
      inputs: [[`${sentence(r, 3)}${a}`], [''], ['xyz'], [a + a]],
    };
  },
});

export const countLongWords = defineFamily({
  name: 'count_long_words',
  sample: (r) => ({ k: ri(r, 2, 5), longer: r.next() < 0.6 }),
  build: ({ k, longer }, r) => {
    const op = longer ? '>' : '<';
    return {
      fn: `count_words_${longer ? 'longer' : 'shorter'}_than_${k}`,
      params: 's',
      doc: `Return how many words in s have ${longer ? 'more' : 'fewer'} than ${k} letters. Words are separated by spaces.`,
      bodies: [
        `return len([w for w in s.split() if len(w) ${op} ${k}])`,
        `count = 0\nfor w in s.split():\n    if len(w) ${op} ${k}:\n        count += 1\nreturn count`,
        `return sum(1 for w in s.split() if len(w) ${op} ${k})`,
      ],
      f: (s: string) => s.split(/\s+/).filter((w) => w && (longer ? w.length > k : w.length < k)).length,
      inputs: [[sentence(r, 5)], [''], [`a  ${pick(r, WORDS)}  bb`], ['abcdefgh']],
    };
  },
});

export const pickWord = defineFamily({
  name: 'pick_word',
  sample: (r) => ({ last: r.next() < 0.5, d: pick(r, ['', null, '?']), upper: r.next() < 0.3 }),
  build: ({ last, d, upper }, r) => {
    const w = `words[${last ? '-1' : '0'}]${upper ? '.upper()' : ''}`;
    const p = `parts[${last ? '-1' : '0'}]${upper ? '.upper()' : ''}`;
    return {
      fn: `${last ? 'last' : 'first'}_word${upper ? '_upper' : ''}_or_${d === null ? 'none' : d ? 'question' : 'empty'}`,
      params: 's',
      doc: `Return the ${last ? 'last' : 'first'} word of s${upper ? ' in upper case' : ''}, or ${py(d)} if s has no words.`,
      bodies: [
        `words = s.split()\nif not words:\n    return ${py(d)}\nreturn ${w}`,
        `parts = s.split()\nreturn ${p} if parts else ${py(d)}`,
        `words = s.split()\nif len(words) == 0:\n    return ${py(d)}\nreturn ${w}`,
      ],
      f: (s: string) => {
        const ws = s.split(/\s+/).filter(Boolean);
        if (!ws.length) return d;
        const x = last ? ws[ws.length - 1] : ws[0];
        return upper ? x.toUpperCase() : x;
      },
      inputs: [[sentence(r, 3)], [''], ['   '], [pick(r, WORDS)], [` ${sentence(r, 2)} `]],
    };
  },
});

export const initials = defineFamily({
  name: 'initials',
  sample: (r) => ({ sep: pick(r, ['', '.', '-', ' ']), upper: r.next() < 0.5 }),
  build: ({ sep, upper }, r) => {
    const ch = upper ? 'w[0].upper()' : 'w[0]';
    return {
      fn: `initials${upper ? '_upper' : ''}${sep ? `_${{ '.': 'dots', '-': 'dashes', ' ': 'spaced' }[sep as '.']}` : ''}`,
      params: 's',
      doc: `Return the first letter of each word in s${upper ? ' in upper case' : ''}, joined by ${py(sep)}.`,
      bodies: [
        `return ${py(sep)}.join(${ch} for w in s.split())`,
        `letters = []\nfor w in s.split():\n    letters.append(${ch})\nreturn ${py(sep)}.join(letters)`,
      ],
      f: (s: string) => s.split(/\s+/).filter(Boolean).map((w) => (upper ? w[0].toUpperCase() : w[0])).join(sep),
      inputs: [[sentence(r, 3)], [''], [`${pick(r, WORDS)}  ${pick(r, WORDS)}`], [pick(r, WORDS)]],
    };
  },
});

export const reverseText = defineFamily({
  name: 'reverse_text',
  sample: (r) => {
    const mode = pick(r, ['chars', 'words', 'each']);
    // The separator does not change the 'chars' problem: keep one parameter set for it.
    return { mode, sep: mode === 'chars' ? ' ' : pick(r, [' ', '-', ',']) };
  },
  build: ({ mode, sep }, r) => {
    const spec = {
      chars: { doc: 'Return s reversed.', bodies: ['return s[::-1]', "return ''.join(reversed(s))"], f: (s: string) => [...s].reverse().join('') },
      words: {
        doc: `Return the words of s in reverse order, joined by ${py(sep)}.`,
        bodies: [`return ${py(sep)}.join(reversed(s.split()))`, `return ${py(sep)}.join(s.split()[::-1])`],
        f: (s: string) => s.split(/\s+/).filter(Boolean).reverse().join(sep),
      },
      each: {
        doc: `Return the words of s, each reversed, joined by ${py(sep)}.`,
        bodies: [`return ${py(sep)}.join(w[::-1] for w in s.split())`, `out = []\nfor w in s.split():\n    out.append(w[::-1])\nreturn ${py(sep)}.join(out)`],
        f: (s: string) => s.split(/\s+/).filter(Boolean).map((w) => [...w].reverse().join('')).join(sep),
      },
    }[mode as 'chars'];
    const tag = { ' ': '', '-': '_dash', ',': '_comma' }[sep as ' '];
    return {
      fn: mode === 'chars' ? 'reverse_text' : mode === 'words' ? `reverse_words${tag}` : `reverse_each_word${tag}`,
      params: 's',
      doc: spec.doc,
      bodies: spec.bodies,
      f: spec.f,
      inputs: [[sentence(r, 3)], [''], [pick(r, WORDS)], [words(r, 2).join('  ')]],
    };
  },
});

export const STRINGS = [repeatStr, wrap, firstChar, countChar, replaceChar, countLongWords, pickWord, initials, reverseText];

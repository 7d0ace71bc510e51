// Static features of a candidate read from its text alone (the prompt and the code; nothing is executed
// and the generator's log-prob is not used): whether the code's constants and strings are ones the prompt
// states, whether it is well-formed (brackets, indentation), whether it returns and reads its parameters,
// and its size. Most wrong candidates of the builtin families are plausible code with a constant the
// docstring never mentions, which the first two features see directly.

/** The feature order of the vector; saved with a verifier so a changed list cannot be read silently. */
export const TEXT_FEATURES = [
  'foreign_numbers',
  'foreign_number_share',
  'numbers',
  'foreign_strings',
  'strings',
  'brackets_balanced',
  'indentation_consistent',
  'returns',
  'parameters_used',
  'log_length',
  'lines',
] as const;

export const TEXT_FEATURES_VERSION = 1;

// A number not glued to an identifier or another number (x1, 1.5's "5"); the sign is dropped, since a
// docstring writes "minus 3" where the code writes -3 or "- 3".
const NUMBER = /(?<![\w.])\d+(?:\.\d+)?/g;
const STRING = /'([^'\\\n]*)'|"([^"\\\n]*)"/g;
// 0 and 1 are the loop/offset constants of correct code as often as of wrong code; '' and ' ' likewise.
const COMMON_NUMBERS = new Set(['0', '1']);
const COMMON_STRINGS = new Set(['', ' ']);

const numbersIn = (text: string): string[] => [...text.matchAll(NUMBER)].map((m) => m[0]);
// Docstring delimiters are not strings of their own (and would swallow the quoted ones inside).
const stringsIn = (text: string): string[] => [...text.replace(/'''|"""/g, ' ').matchAll(STRING)].map((m) => m[1] ?? m[2] ?? '');

/** The parameter names of the prompt's last `def`. */
function parameters(prompt: string): string[] {
  const defs = [...prompt.matchAll(/def\s+\w+\s*\(([^)]*)\)/g)];
  const last = defs[defs.length - 1];
  if (!last) return [];
  return last[1].split(',').map((p) => p.split(/[:=]/)[0].trim().replace(/^\*+/, '')).filter((p) => /^\w+$/.test(p));
}

function bracketsBalanced(code: string): boolean {
  const open: string[] = [];
  const closes: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  for (const ch of code.replace(STRING, '""')) {
    if (ch === '(' || ch === '[' || ch === '{') open.push(ch);
    else if (ch in closes && open.pop() !== closes[ch]) return false;
  }
  return open.length === 0;
}

/** Four-space steps, a deeper line exactly after each `:` line and nowhere else, no `:` line last. */
function indentationConsistent(code: string): boolean {
  const lines = code.split('\n').filter((l) => l.trim() !== '');
  let prev: { indent: number; opens: boolean } | undefined;
  for (const line of lines) {
    const indent = line.length - line.trimStart().length;
    if (indent % 4 !== 0) return false;
    if (prev && prev.opens !== indent > prev.indent) return false;
    prev = { indent, opens: line.trimEnd().endsWith(':') };
  }
  return !prev?.opens;
}

const isWord = (name: string) => new RegExp(`\\b${name}\\b`);

/** The feature vector of one candidate, in TEXT_FEATURES order. */
export function textFeatures(prompt: string, code: string): number[] {
  const params = parameters(prompt);
  // Function names spell parameters too (clamp_minus_3_to_25): read them as words.
  const stated = new Set([...numbersIn(prompt.replace(/_/g, ' '))]);
  const numbers = numbersIn(code);
  const foreignNumbers = numbers.filter((n) => !stated.has(n) && !COMMON_NUMBERS.has(n)).length;
  const quoted = new Set(stringsIn(prompt));
  const strings = stringsIn(code);
  const foreignStrings = strings.filter((s) => !quoted.has(s) && !COMMON_STRINGS.has(s)).length;
  const used = params.filter((p) => isWord(p).test(code)).length;
  return [
    foreignNumbers,
    numbers.length ? foreignNumbers / numbers.length : 0,
    numbers.length,
    foreignStrings,
    strings.length,
    bracketsBalanced(code) ? 1 : 0,
    indentationConsistent(code) ? 1 : 0,
    /\breturn\b/.test(code) ? 1 : 0,
    params.length ? used / params.length : 1,
    Math.log1p(code.length),
    code.split('\n').filter((l) => l.trim() !== '').length,
  ];
}

export interface FeatureScaling {
  names: string[];
  version: number;
  mean: number[];
  std: number[];
}

/** Per-feature mean and standard deviation over the training samples (a constant feature gets std 1). */
export function fitScaling(rows: readonly number[][]): FeatureScaling {
  const f = TEXT_FEATURES.length;
  const mean = new Array<number>(f).fill(0);
  const std = new Array<number>(f).fill(0);
  for (const r of rows) r.forEach((v, j) => { mean[j] += v / rows.length; });
  for (const r of rows) r.forEach((v, j) => { std[j] += (v - mean[j]) ** 2 / rows.length; });
  return { names: [...TEXT_FEATURES], version: TEXT_FEATURES_VERSION, mean, std: std.map((v) => (v > 1e-12 ? Math.sqrt(v) : 1)) };
}

export const scaleRow = (row: readonly number[], s: FeatureScaling): number[] => row.map((v, j) => (v - s.mean[j]) / s.std[j]);

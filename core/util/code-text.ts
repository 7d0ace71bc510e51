// Heuristics about a completion's text, used by the pairing gates (core/pipeline/pair-quality.ts)
// and open to plugins through crucible-ml/util: is it code, a refusal, a template, the same as another.

const REFUSALS = [
  /\b(i|we)\s*(cannot|can't|can not|won't|will not|am unable to|'m unable to|am not able to)\s+(help|assist|provide|do|comply|complete|write|answer|fulfil)/i,
  /\bas an ai(\s+language model)?\b/i,
  /^\s*(i'?m\s+|i am\s+)?sorry\b/i,
];

/** A refusal or an assistant's apology rather than an answer. */
export function isRefusal(text: string): boolean {
  return REFUSALS.some((re) => re.test(text));
}

const PLACEHOLDERS = /<\s*your code\s*>|your code here|insert (your )?code|implement (this|me)\b/i;
const STUB_LINE = /^(pass|\.\.\.|raise\s+NotImplementedError\b.*|return\s*(None)?)$/;
const CODE_LINE = [
  /^(def|class|return|if|elif|else|for|while|try|except|finally|with|import|from|raise|assert|yield|pass|break|continue|lambda|global|nonlocal|del|print|async|await)\b/,
  /^[\w.[\], ]+\s*(=|\+=|-=|\*=|\/=|%=|\/\/=)/, // assignment
  /^[\w.]+\s*\(.*\)?\s*$/, // a call
  /^[)\]}]/, // closing a bracket
  /[=!<>]=|[+\-*/%]\s*\w|\w\[[^\]]*\]/, // operators and subscripts
];

/** Code lines with docstrings, comments, doctest lines and markdown fences removed. */
function substantiveLines(text: string): string[] {
  return text
    .replace(/("""|''')[\s\S]*?(\1|$)/g, '\n')
    .split('\n')
    .map((l) => l.replace(/(^|\s)#.*$/, '').trim())
    .filter((l) => l !== '' && !l.startsWith('```') && !l.startsWith('>>>'));
}

/** Only stubs, only comments, or a placeholder ("your code here"). */
export function isTemplate(text: string): boolean {
  return PLACEHOLDERS.test(text) || substantiveLines(text).every((l) => STUB_LINE.test(l));
}

/** At least half of the substantive lines read as code (keywords, assignments, calls, operators). */
export function looksLikeCode(text: string): boolean {
  const lines = substantiveLines(text);
  return lines.length > 0 && lines.filter((l) => CODE_LINE.some((re) => re.test(l))).length / lines.length >= 0.5;
}

const normalize = (s: string) => s.split('\n').map((l) => l.trimEnd()).join('\n').trim();

/** The same text up to trailing spaces and surrounding blank lines. */
export function sameText(a: string, b: string): boolean {
  return normalize(a) === normalize(b);
}

// What dedupe compares Python programs by: the source without its comments, blank lines and trailing whitespace
// (outside string literals). Programs with the same key compile to the same code object except for line numbers,
// so they get the same verdict; only a traceback's line numbers (stderr) can differ. Samples of one problem often
// differ only there: the 1,640 real HumanEval samples are 940 distinct texts and 812 distinct layout keys.
//
// The scan knows Python's string literals (quotes, triple quotes, backslash escapes; a prefix is just the letters
// before the quote). It never merges what might behave differently: a line whose cleaned end is a backslash keeps its
// original text ("x = 1 \ # c" is a syntax error, "x = 1 \" a continuation), a blank line after a backslash stays,
// and a program with an f-string or a carriage return keeps its exact text as its key (from Python 3.12 an f-string's
// replacement fields may hold quotes of its own kind and comments, which this scan does not follow).
const F_STRING = /(?:^|[^A-Za-z0-9_])(?:[fF][rR]?|[rR][fF])["']/;
const TRAILING = /[ \t]+$/;

export function pythonLayoutKey(code: string): string {
  if (F_STRING.test(code) || code.includes('\r')) return code; // a lone \r also ends a line in Python
  const lines: string[] = [];
  let line = ''; // the current line, comments removed
  let lineStart = 0; // where the current line starts in `code`
  let quote = ''; // the open string's delimiter (' " ''' """), or '' outside strings
  const endLine = (end: number) => {
    let cleaned = line.replace(TRAILING, '');
    if (cleaned.endsWith('\\')) cleaned = code.slice(lineStart, end); // keep what a continuation would change
    const afterBackslash = lines.length > 0 && lines[lines.length - 1].endsWith('\\');
    if (cleaned !== '' || afterBackslash) lines.push(cleaned);
    line = '';
    lineStart = end + 1;
  };
  for (let i = 0; i < code.length; i++) {
    const c = code[i];
    if (quote) {
      if (c === '\\') {
        line += c + (code[i + 1] ?? '');
        i++;
        continue;
      }
      if (code.startsWith(quote, i)) {
        line += quote;
        i += quote.length - 1;
        quote = '';
        continue;
      }
      if (c === '\n' && quote.length === 1) return code; // a one-line string left open: a syntax error
      line += c;
      continue;
    }
    if (c === '#') {
      while (i + 1 < code.length && code[i + 1] !== '\n') i++;
      continue;
    }
    if (c === '\n') {
      endLine(i);
      continue;
    }
    if (c === '"' || c === "'") {
      quote = code.startsWith(c.repeat(3), i) ? c.repeat(3) : c;
      line += quote;
      i += quote.length - 1;
      continue;
    }
    line += c;
  }
  if (quote) return code; // an unterminated string: a syntax error, keyed by its exact text
  endLine(code.length);
  return lines.join('\n');
}

// Text-level post-processing of model output (no Python needed): code extraction from chat replies,
// re-indentation of stripped completions, docstring removal, and the Mistral sample file's clean-up.

/** The indentation a completion continuing `prompt` must use: that of the prompt's last indented line. */
export function bodyIndent(prompt: string): string {
  const lines = prompt.split('\n').filter((l) => l.trim() !== '');
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = /^([ \t]+)\S/.exec(lines[i]);
    if (m) return m[1];
    if (/^(async\s+)?def\s.*:\s*(#.*)?$/.test(lines[i])) return '    ';
  }
  return '';
}

/** Whether `text` (re)defines the entry point at the top level: then it is a whole program, not a continuation. */
export function definesEntryPoint(text: string, entryPoint: string): boolean {
  const name = entryPoint.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^(async\\s+)?def\\s+${name}\\s*\\(`, 'm').test(text);
}

const FENCE = /```[ \t]*([\w+-]*)[^\n]*\n([\s\S]*?)(?:```|$)/g;

/**
 * The code of a chat reply: the fenced block that defines the entry point (else the first python block, else
 * the first block); without fences, the lines from the first top-level code line to the last code line.
 */
export function extractCode(text: string, entryPoint: string): string {
  const blocks = [...text.matchAll(FENCE)].map((m) => ({ lang: m[1].toLowerCase(), code: m[2] }));
  if (blocks.length) {
    const pick =
      blocks.find((b) => definesEntryPoint(b.code, entryPoint)) ??
      blocks.find((b) => b.lang === 'python' || b.lang === 'py' || b.lang === 'python3') ??
      blocks[0];
    return pick.code.replace(/\s+$/, '') + '\n';
  }
  const lines = text.split('\n');
  const isCodeStart = (l: string) => /^(def |async def |class |import |from \S+ import |@)/.test(l);
  const start = lines.findIndex(isCodeStart);
  if (start < 0) return text;
  let end = start;
  for (let i = start + 1; i < lines.length; i++) {
    const l = lines[i];
    if (l.trim() === '' || /^[ \t]/.test(l) || isCodeStart(l) || /^[A-Za-z_][\w.]*\s*=/.test(l) || /^(if|for|while|try|with|return|print)\b/.test(l)) {
      if (l.trim() !== '') end = i;
      continue;
    }
    break; // prose after the code
  }
  return lines.slice(start, end + 1).join('\n') + '\n';
}

/**
 * Re-indents a completion whose leading indentation was stripped: when its first non-blank line starts at
 * column 0 but the prompt ends inside an indented body, that line (and, when every line is flush left, all
 * lines) gets the body's indentation. A completion that redefines the entry point is left alone.
 */
export function dedentFix(completion: string, prompt: string, entryPoint: string): string {
  const indent = bodyIndent(prompt);
  if (!indent || definesEntryPoint(completion, entryPoint)) return completion;
  const lines = completion.split('\n');
  const first = lines.findIndex((l) => l.trim() !== '');
  if (first < 0 || /^[ \t]/.test(lines[first])) return completion;
  const rest = lines.slice(first + 1).filter((l) => l.trim() !== '');
  const allFlush = rest.every((l) => !/^[ \t]/.test(l));
  return lines.map((l, i) => (l.trim() !== '' && (i === first || (allFlush && i > first)) ? indent + l : l)).join('\n');
}

/** Drops string literals that stand alone on their lines (docstrings), including their line. */
export function stripDocstrings(code: string): string {
  return code.replace(/^[ \t]*[rRuUbB]{0,2}("""|''')[\s\S]*?\1[ \t]*(#[^\n]*)?(\n|$)/gm, '');
}

/**
 * The documented rewrite that bdytx5/humanEval_mistral_vs_zephyr applied before running its samples
 * (see ../shared/data/README.md): delete triple-quoted strings, delete ''' blocks, turn "END CODE" into a
 * newline, and prefix a tab when the completion starts with a word character. Reproduces the recorded labels.
 */
export function mistralCleanup(completion: string): string {
  let out = completion.replace(/"""[\s\S]*?"""/g, '');
  out = out.replace(/'''[\s\S]*?'''/g, '');
  out = out.replace(/END CODE/g, '\n');
  if (/^\w/.test(out)) out = '\t' + out;
  return out;
}

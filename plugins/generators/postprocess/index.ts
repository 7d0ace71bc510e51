// Post-processing of model output into a runnable candidate, shared by the generators (replay, openai-compatible).
//
// Modes (any set; applied in this fixed order, whatever order they are listed in):
//   extract-code      take the fenced code block (or the function) from a chat reply
//   mistral-cleanup   the four documented rewrites of the Mistral sample file (../shared/data/README.md)
//   strip-docstrings  drop string literals standing alone on their lines (docstrings)
//   dedent-fix        re-indent a completion whose leading indentation was stripped
//   sanitize          keep imports, the entry point and what it uses; drop prose, tests, __main__ blocks (Python ast, batched)
//   none              nothing (the same as an empty list)
// A text is either a continuation of the prompt (`shape: 'completion'`, the default) or a whole program
// (`shape: 'program'`, e.g. an evalplus `solution`). A continuation that extraction or sanitizing turns into a
// whole program (it defines the entry point) gets the prompt's preamble (imports, helpers defined before the
// entry point) in front, since tests may use those helpers.
import { sanitizeMany } from './sanitize.js';
import { definesEntryPoint, dedentFix, extractCode, mistralCleanup, stripDocstrings } from './text.js';

export const POSTPROCESS_MODES = ['none', 'extract-code', 'mistral-cleanup', 'strip-docstrings', 'dedent-fix', 'sanitize'] as const;
export type PostprocessMode = (typeof POSTPROCESS_MODES)[number];

export interface PostprocessOptions {
  mode: PostprocessMode | readonly PostprocessMode[];
  entryPoint: string;
  prompt: string;
  shape?: 'completion' | 'program';
}

export interface PostprocessResult {
  /** The program the executor runs. */
  code: string;
  /** What follows the prompt (for a whole program that does not start with the prompt: the program itself). */
  completion: string;
  /** Whether post-processing changed the text. */
  changed: boolean;
  /** Whether `code` came from the text alone (a whole program) rather than prompt + completion. */
  program: boolean;
  /** Why a step could not apply (e.g. sanitize found no entry point); the text is then left as it was. */
  warning?: string;
}

export { bodyIndent, definesEntryPoint, dedentFix, extractCode, mistralCleanup, stripDocstrings } from './text.js';

/** The prompt's code before the entry point's `def` line (imports and helpers the tests may call). */
export function promptPreamble(prompt: string, entryPoint: string): string {
  const name = entryPoint.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp(`^(async\\s+)?def\\s+${name}\\s*\\(`, 'm').exec(prompt);
  return m ? prompt.slice(0, m.index) : '';
}

interface State {
  text: string;
  program: boolean;
  warning?: string;
}

function modesOf(mode: PostprocessOptions['mode']): Set<PostprocessMode> {
  const list = typeof mode === 'string' ? [mode] : mode;
  for (const m of list) if (!POSTPROCESS_MODES.includes(m)) throw new Error(`unknown post-processing mode "${m}" (known: ${POSTPROCESS_MODES.join(', ')})`);
  return new Set(list);
}

function textSteps(raw: string, o: PostprocessOptions, modes: Set<PostprocessMode>): State {
  const s: State = { text: raw, program: o.shape === 'program' };
  if (modes.has('extract-code')) {
    s.text = extractCode(s.text, o.entryPoint);
    if (definesEntryPoint(s.text, o.entryPoint)) s.program = true;
  }
  if (modes.has('mistral-cleanup') && !s.program) s.text = mistralCleanup(s.text);
  if (modes.has('strip-docstrings')) s.text = stripDocstrings(s.text);
  if (modes.has('dedent-fix') && !s.program) s.text = dedentFix(s.text, o.prompt, o.entryPoint);
  return s;
}

function finish(raw: string, s: State, o: PostprocessOptions): PostprocessResult {
  const givenProgram = o.shape === 'program';
  const derived = s.program && !givenProgram;
  const code = s.program ? (derived ? joinPreamble(promptPreamble(o.prompt, o.entryPoint), s.text) : s.text) : o.prompt + s.text;
  const completion = s.program ? (code.startsWith(o.prompt) ? code.slice(o.prompt.length) : s.text) : s.text;
  const unprocessed = givenProgram ? raw : o.prompt + raw;
  return { code, completion, changed: code !== unprocessed, program: s.program, ...(s.warning ? { warning: s.warning } : {}) };
}

function joinPreamble(preamble: string, text: string): string {
  if (!preamble.trim() || text.startsWith(preamble)) return text;
  return `${preamble.replace(/\s*$/, '')}\n\n\n${text}`;
}

/** Post-processes many texts; sanitize runs in one Python process for the whole batch. */
export async function postprocessMany(items: Array<{ text: string } & PostprocessOptions>): Promise<PostprocessResult[]> {
  const states = items.map((item) => textSteps(item.text, item, modesOf(item.mode)));
  const toSanitize = items.map((item, i) => (modesOf(item.mode).has('sanitize') ? i : -1)).filter((i) => i >= 0);
  const answers = await sanitizeMany(
    toSanitize.map((i) => ({ code: states[i].program ? states[i].text : items[i].prompt + states[i].text, entryPoint: items[i].entryPoint })),
  );
  toSanitize.forEach((i, k) => {
    const a = answers[k];
    if (a?.code !== undefined) {
      states[i].text = a.code;
      states[i].program = true;
    } else {
      states[i].warning = `sanitize: ${a?.error ?? 'no answer'}`;
    }
  });
  return items.map((item, i) => finish(item.text, states[i], item));
}

/** Post-processes one text (see postprocessMany to batch texts that need sanitize). */
export async function postprocess(text: string, options: PostprocessOptions): Promise<PostprocessResult> {
  return (await postprocessMany([{ text, ...options }]))[0];
}

/** The synchronous subset (every mode but sanitize), for callers that cannot await. */
export function postprocessSync(text: string, options: PostprocessOptions): PostprocessResult {
  const modes = modesOf(options.mode);
  if (modes.has('sanitize')) throw new Error('postprocessSync cannot sanitize (it needs Python): use postprocess or postprocessMany');
  return finish(text, textSteps(text, options, modes), options);
}

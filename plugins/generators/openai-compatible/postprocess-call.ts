// The one place the generator turns model text into (code, completion). The shared post-processing module
// (plugins/generators/postprocess) does the work; it is loaded at run time so this generator still runs
// (with a small stand-in for extract-code) where that module is absent.
import type { Problem } from '../../../core/contract/data.js';
import type { PostprocessMode } from './schema.js';

export interface Processed {
  /** The program the executor runs. */
  code: string;
  /** What follows the prompt (for DPO). */
  completion: string;
  /** The model text when post-processing changed it. */
  raw?: string;
  /** Why a step could not apply (the text is then left as it was). */
  warning?: string;
}

type SharedMode = 'none' | 'extract-code' | 'sanitize';
interface SharedOptions {
  text: string;
  mode: readonly SharedMode[];
  entryPoint: string;
  prompt: string;
  shape?: 'completion' | 'program';
}
type PostprocessMany = (items: SharedOptions[]) => Promise<Array<{ code: string; completion: string; changed: boolean; warning?: string }>>;

let shared: PostprocessMany | null | undefined;

async function loadShared(): Promise<PostprocessMany | null> {
  if (shared !== undefined) return shared;
  try {
    const specifier = '../postprocess/index.js';
    const mod = (await import(specifier)) as { postprocessMany?: PostprocessMany };
    shared = typeof mod.postprocessMany === 'function' ? mod.postprocessMany : null;
  } catch {
    shared = null;
  }
  return shared;
}

/** The first fenced code block (```python preferred), else the text itself. */
function firstCodeBlock(text: string): string {
  const blocks = [...text.matchAll(/```([\w+-]*)[^\n]*\n([\s\S]*?)(?:```|$)/g)];
  const python = blocks.find((b) => /^(python|py|python3)?$/i.test(b[1]));
  return (python ?? blocks[0])?.[2] ?? text;
}

/** Used only when the shared module is missing: extract-code, no sanitize. */
function standIn(text: string, mode: PostprocessMode, problem: Problem, chat: boolean): Processed {
  if (mode === 'none') return { code: problem.prompt + text, completion: text };
  const source = chat ? firstCodeBlock(text) : text;
  const defines = new RegExp(`^\\s*(async\\s+)?def\\s+${problem.entryPoint}\\s*\\(`, 'm').test(source);
  const code = defines ? source : problem.prompt + source;
  const completion = code.startsWith(problem.prompt) ? code.slice(problem.prompt.length) : code;
  return { code, completion, ...(source !== text || defines ? { raw: text } : {}), warning: 'post-processing module missing: sanitize not applied' };
}

/**
 * One problem's texts at once (sanitize runs one Python process per batch). A text is the continuation of the
 * prompt (completions) or the reply (chat). For chat, `sanitize` extracts the code block first; a reply that
 * holds only a function body is joined to the prompt like a raw completion.
 */
export async function postprocessAll(texts: string[], mode: PostprocessMode, problem: Problem, chat: boolean): Promise<Processed[]> {
  // "none" needs no module: the continuation is appended to the prompt as written.
  if (mode === 'none') return texts.map((text) => ({ code: problem.prompt + text, completion: text }));
  const many = await loadShared();
  if (!many) return texts.map((text) => standIn(text, mode, problem, chat));
  const modes: SharedMode[] = chat && mode === 'sanitize' ? ['extract-code', 'sanitize'] : [mode];
  const results = await many(texts.map((text) => ({ text, mode: modes, entryPoint: problem.entryPoint, prompt: problem.prompt, shape: 'completion' })));
  return results.map((r, i) => ({
    code: r.code,
    completion: r.completion,
    ...(r.changed ? { raw: texts[i] } : {}),
    ...(r.warning ? { warning: r.warning } : {}),
  }));
}

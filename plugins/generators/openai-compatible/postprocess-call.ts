// The one place the generator turns model text into (code, completion). The shared post-processing module
// (plugins/generators/postprocess) is loaded when present; until then a small built-in stand-in is used.
import type { Problem } from '../../../core/contract/data.js';
import type { PostprocessMode } from './schema.js';

export interface Processed {
  /** The program the executor runs. */
  code: string;
  /** What follows the prompt (for DPO). */
  completion: string;
  /** The model text when post-processing changed it. */
  raw?: string;
}

type SharedPostprocess = (text: string, options: { mode: PostprocessMode; entryPoint: string; prompt: string }) => { code: string; completion: string; changed: boolean };

let shared: SharedPostprocess | null | undefined;

async function loadShared(): Promise<SharedPostprocess | null> {
  if (shared !== undefined) return shared;
  try {
    const specifier = '../postprocess/index.js';
    const mod = (await import(specifier)) as { postprocess?: SharedPostprocess };
    shared = typeof mod.postprocess === 'function' ? mod.postprocess : null;
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

function standIn(text: string, mode: PostprocessMode, problem: Problem, chat: boolean): { code: string; completion: string; changed: boolean } {
  if (mode === 'none') return chat ? { code: text, completion: text, changed: false } : { code: problem.prompt + text, completion: text, changed: false };
  const source = chat ? firstCodeBlock(text) : problem.prompt + text;
  const defines = new RegExp(`^\\s*(async\\s+)?def\\s+${problem.entryPoint}\\s*\\(`, 'm').test(source);
  // A reply holding only the body is completed with the prompt, as a raw completion would be.
  const code = chat && !defines ? problem.prompt + source : source;
  const completion = code.startsWith(problem.prompt) ? code.slice(problem.prompt.length) : code;
  return { code, completion, changed: chat ? code !== text : false };
}

/**
 * `text` is the model's answer: the continuation of the prompt (completions) or the reply (chat).
 * Raw completions are joined to the problem's prompt before post-processing so the code runs as written.
 */
export async function postprocessText(text: string, mode: PostprocessMode, problem: Problem, chat: boolean): Promise<Processed> {
  // "none" needs no module: the text is used as written.
  const fn = mode === 'none' ? null : await loadShared();
  const result = fn ? fn(chat ? text : problem.prompt + text, { mode, entryPoint: problem.entryPoint, prompt: problem.prompt }) : standIn(text, mode, problem, chat);
  const out: Processed = { code: result.code, completion: result.completion };
  if (result.changed) out.raw = text;
  return out;
}

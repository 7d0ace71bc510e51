// The one place the generator turns model text into (code, completion), through the shared post-processing
// module (plugins/generators/postprocess) that the replay generator uses too.
import type { Problem } from 'crucible-ml';
import { postprocessMany, type PostprocessMode as SharedMode } from '../postprocess/index.js';
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

/**
 * One problem's texts at once (sanitize runs one Python process per batch). A text is the continuation of the
 * prompt (completions) or the reply (chat). For chat, `sanitize` extracts the code block first; a reply that
 * holds only a function body is joined to the prompt like a raw completion.
 */
export async function postprocessAll(texts: string[], mode: PostprocessMode, problem: Problem, chat: boolean): Promise<Processed[]> {
  if (mode === 'none') return texts.map((text) => ({ code: problem.prompt + text, completion: text }));
  const modes: SharedMode[] = chat && mode === 'sanitize' ? ['extract-code', 'sanitize'] : [mode];
  const results = await postprocessMany(texts.map((text) => ({ text, mode: modes, entryPoint: problem.entryPoint, prompt: problem.prompt, shape: 'completion' as const })));
  return results.map((r, i) => ({
    code: r.code,
    completion: r.completion,
    ...(r.changed ? { raw: texts[i] } : {}),
    ...(r.warning ? { warning: r.warning } : {}),
  }));
}

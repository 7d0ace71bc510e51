// What is sent for a problem: a raw completion prompt or chat messages, and the name recorded for that format
// ("completion:raw", "completion:template:<hash>", "chat:<name>") so a template is never applied silently.
import type { Problem } from 'crucible-ml';
import { sha256 } from 'crucible-ml/util';

export interface ChatTemplateConfig {
  name: string;
  system?: string;
  user: string;
}

export interface PromptBuilder {
  /** Recorded per candidate and per run. */
  readonly format: string;
  /** The description recorded with the run: the exact template text. */
  readonly describe: Record<string, unknown>;
  /** The request fields carrying the prompt: { prompt } or { messages }. */
  build(problem: Problem): { prompt: string } | { messages: Array<{ role: 'system' | 'user'; content: string }> };
}

/** Replaces {prompt}, {entryPoint} and {id}; other braces (code!) are left alone. */
export function fill(template: string, problem: Problem): string {
  return template.replace(/\{(prompt|entryPoint|id)\}/g, (_, key: 'prompt' | 'entryPoint' | 'id') => problem[key]);
}

export function promptBuilder(endpoint: 'completions' | 'chat', promptTemplate: string, chat: ChatTemplateConfig): PromptBuilder {
  if (endpoint === 'completions') {
    const format = promptTemplate === '{prompt}' ? 'completion:raw' : `completion:template:${sha256(promptTemplate).slice(0, 8)}`;
    return {
      format,
      describe: { endpoint, promptFormat: format, promptTemplate },
      build: (problem) => ({ prompt: fill(promptTemplate, problem) }),
    };
  }
  const format = `chat:${chat.name}`;
  return {
    format,
    describe: {
      endpoint,
      promptFormat: format,
      system: chat.system ?? null,
      user: chat.user,
      templateHash: sha256(JSON.stringify([chat.system ?? null, chat.user])).slice(0, 8),
      note: 'messages go through the server\'s own chat template',
    },
    build: (problem) => ({
      messages: [
        ...(chat.system !== undefined ? [{ role: 'system' as const, content: fill(chat.system, problem) }] : []),
        { role: 'user' as const, content: fill(chat.user, problem) },
      ],
    }),
  };
}

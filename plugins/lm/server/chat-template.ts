// Chat prompts: the model folder's own chat template (tokenizer_config.json, rendered with @huggingface/jinja)
// when it has one, else crucible's documented plain template:
//
//   <|system|>\n{content}\n<|user|>\n{content}\n<|assistant|>\n
//
// one block per message in order, ending with "<|assistant|>\n" for the reply. With the plain template the
// server also stops generation at "\n<|user|>" / "\n<|system|>" so the model does not write the next turn.
import { Template } from '@huggingface/jinja';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ChatMessage {
  role: string;
  content: string;
}

export interface ChatFormatter {
  /** "jinja:tokenizer_config" or "plain". */
  readonly name: string;
  render(messages: ChatMessage[]): string;
  /** Stop strings the template implies. */
  readonly stop: string[];
}

export const PLAIN_CHAT_STOP = ['\n<|user|>', '\n<|system|>'];

export function plainChatTemplate(messages: ChatMessage[]): string {
  return messages.map((m) => `<|${m.role}|>\n${m.content}\n`).join('') + '<|assistant|>\n';
}

/** Reads bos/eos tokens from tokenizer_config.json (strings or {content} objects) for the jinja context. */
function specialTokens(modelDir: string | undefined): Record<string, string> {
  if (!modelDir) return {};
  const file = join(modelDir, 'tokenizer_config.json');
  if (!existsSync(file)) return {};
  try {
    const config = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    const out: Record<string, string> = {};
    for (const key of ['bos_token', 'eos_token', 'pad_token', 'unk_token']) {
      const v = config[key];
      if (typeof v === 'string') out[key] = v;
      else if (v && typeof v === 'object' && typeof (v as { content?: unknown }).content === 'string') out[key] = (v as { content: string }).content;
    }
    return out;
  } catch {
    return {};
  }
}

export function chatFormatter(chatTemplate: string | undefined, modelDir?: string): ChatFormatter {
  if (!chatTemplate) return { name: 'plain', render: plainChatTemplate, stop: PLAIN_CHAT_STOP };
  const template = new Template(chatTemplate);
  const tokens = specialTokens(modelDir);
  return {
    name: 'jinja:tokenizer_config',
    render: (messages) => template.render({ messages, add_generation_prompt: true, ...tokens }),
    stop: [],
  };
}

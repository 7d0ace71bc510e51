// Reading answers: the fields crucible uses, checked, so a half-broken server fails loudly (and is retried)
// instead of producing empty candidates.
import { CrucibleError } from 'crucible-ml';
import type { LogprobResult } from 'crucible-ml';
import { MalformedResponse } from './retry.js';

/** One sample as cached: enough to rebuild the candidate without asking again. */
export interface Answer {
  text: string;
  finishReason: string | null;
  /** Sum of the sampled tokens' log-probs, when the server sent them. */
  logprob?: number;
  tokens?: number;
  durationMs: number;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function firstChoice(answer: unknown): Record<string, unknown> {
  if (!isObject(answer)) throw new MalformedResponse(`expected a JSON object, got ${typeof answer === 'string' ? `text "${answer.slice(0, 80)}"` : typeof answer}`);
  const choices = answer.choices;
  if (!Array.isArray(choices) || choices.length === 0 || !isObject(choices[0])) throw new MalformedResponse('no choices in the answer');
  return choices[0];
}

function sumLogprobs(values: unknown[]): { logprob?: number; tokens?: number } {
  if (!values.every((v) => typeof v === 'number')) return {};
  return { logprob: (values as number[]).reduce((a, b) => a + b, 0), tokens: values.length };
}

export function completionAnswer(answer: unknown, durationMs: number): Answer {
  const choice = firstChoice(answer);
  if (typeof choice.text !== 'string') throw new MalformedResponse('choices[0].text is not a string');
  const lp = isObject(choice.logprobs) && Array.isArray(choice.logprobs.token_logprobs) ? sumLogprobs(choice.logprobs.token_logprobs) : {};
  const usage = isObject(answer) && isObject(answer.usage) && typeof answer.usage.completion_tokens === 'number' ? answer.usage.completion_tokens : undefined;
  return { text: choice.text, finishReason: typeof choice.finish_reason === 'string' ? choice.finish_reason : null, ...lp, tokens: lp.tokens ?? usage, durationMs };
}

export function chatAnswer(answer: unknown, durationMs: number): Answer {
  const choice = firstChoice(answer);
  const message = choice.message;
  if (!isObject(message)) throw new MalformedResponse('choices[0].message is missing');
  if (typeof message.content !== 'string' && message.content !== null) throw new MalformedResponse('choices[0].message.content is not a string');
  const content = isObject(choice.logprobs) && Array.isArray(choice.logprobs.content) ? choice.logprobs.content : undefined;
  const lp = content ? sumLogprobs(content.map((c) => (isObject(c) ? c.logprob : undefined))) : {};
  const usage = isObject(answer) && isObject(answer.usage) && typeof answer.usage.completion_tokens === 'number' ? answer.usage.completion_tokens : undefined;
  return { text: message.content ?? '', finishReason: typeof choice.finish_reason === 'string' ? choice.finish_reason : null, ...lp, tokens: lp.tokens ?? usage, durationMs };
}

/**
 * The completion's tokens out of an echo answer for prompt + completion: every token that ends after the
 * prompt's last character and starts inside the echoed text (a token straddling the boundary counts as the
 * completion's; tokens generated after the echo are ignored).
 */
export function echoLogprobs(answer: unknown, prompt: string, completion: string): LogprobResult {
  const choice = firstChoice(answer);
  const full = prompt + completion;
  const unsupported = (why: string) =>
    new CrucibleError('CRUCIBLE_E_GENERATOR', `the server cannot score text (echo + logprobs): ${why}`, [
      { message: why, hint: 'logprobs(prompt, completion) needs a completions endpoint that honours echo with logprobs (vLLM does; llama.cpp and Ollama do not)' },
    ]);
  if (typeof choice.text !== 'string' || !choice.text.startsWith(full)) throw unsupported('the answer does not echo the prompt');
  const lp = choice.logprobs;
  if (!isObject(lp) || !Array.isArray(lp.tokens) || !Array.isArray(lp.token_logprobs)) throw unsupported('no logprobs in the answer');
  const tokens = lp.tokens as unknown[];
  const values = lp.token_logprobs as unknown[];
  const offsets = Array.isArray(lp.text_offset) && lp.text_offset.length === tokens.length ? (lp.text_offset as number[]) : undefined;
  const out: number[] = [];
  let cumulative = 0;
  for (let i = 0; i < tokens.length; i++) {
    const text = typeof tokens[i] === 'string' ? (tokens[i] as string) : '';
    const start = offsets ? offsets[i] : cumulative;
    cumulative += text.length;
    const end = start + Math.max(text.length, 1);
    if (start >= full.length) break;
    if (end <= prompt.length) continue;
    const v = values[i];
    if (typeof v === 'number') out.push(v);
    else if (i > 0) throw unsupported(`token ${i} has no log-prob`); // only the very first token may be null
  }
  if (completion.length > 0 && out.length === 0) throw unsupported('no log-probs for the completion\'s tokens');
  return { sum: out.reduce((a, b) => a + b, 0), tokens: out };
}

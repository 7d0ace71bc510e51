// Response pieces in the OpenAI wire format. Only the chosen token's log-prob is known to the in-process
// model, so `top_logprobs` holds exactly that one token whatever `logprobs: N` asked for.

export interface CompletionLogprobs {
  tokens: string[];
  token_logprobs: Array<number | null>;
  top_logprobs: Array<Record<string, number> | null>;
  text_offset: number[];
}

/** Builds the legacy completions logprobs object; offsets count characters from `startOffset`. */
export function completionLogprobs(tokens: string[], logprobs: Array<number | null>, startOffset = 0): CompletionLogprobs {
  const text_offset: number[] = [];
  let offset = startOffset;
  for (const t of tokens) {
    text_offset.push(offset);
    offset += t.length;
  }
  return {
    tokens,
    token_logprobs: logprobs,
    top_logprobs: tokens.map((t, i) => (logprobs[i] === null ? null : { [t]: logprobs[i] as number })),
    text_offset,
  };
}

export function concatLogprobs(a: CompletionLogprobs, b: CompletionLogprobs): CompletionLogprobs {
  const shift = a.tokens.join('').length;
  return {
    tokens: [...a.tokens, ...b.tokens],
    token_logprobs: [...a.token_logprobs, ...b.token_logprobs],
    top_logprobs: [...a.top_logprobs, ...b.top_logprobs],
    text_offset: [...a.text_offset, ...b.text_offset.map((o) => o + shift)],
  };
}

/** Chat logprobs: { content: [{ token, logprob, bytes, top_logprobs }] }. */
export function chatLogprobs(tokens: string[], logprobs: number[], withTop: boolean) {
  return {
    content: tokens.map((token, i) => ({
      token,
      logprob: logprobs[i],
      bytes: [...Buffer.from(token, 'utf8')],
      top_logprobs: withTop ? [{ token, logprob: logprobs[i], bytes: [...Buffer.from(token, 'utf8')] }] : [],
    })),
  };
}

export function openaiError(message: string, type: string, param: string | null = null, code: string | null = null) {
  return { error: { message, type, param, code } };
}

let counter = 0;
export function responseId(prefix: string): string {
  counter = (counter + 1) % 1e9;
  return `${prefix}-${Date.now().toString(36)}${counter.toString(36)}`;
}

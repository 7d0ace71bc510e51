// The in-process language model as the rest of crucible sees it (generator plugin, model server, trainers).

export interface SamplingParams {
  /** Completions per prompt. */
  n: number;
  maxTokens: number;
  /** 0 means greedy. */
  temperature: number;
  topP: number;
  /** 0 means off. */
  topK: number;
  seed: number;
  stop: string[];
}

export interface Completion {
  text: string;
  /** Generated tokens (after stop-string trimming). */
  tokens: number;
  finishReason: 'stop' | 'length';
  /** Per generated token log-probs (natural log), when asked for. */
  logprobs?: number[];
  tokenTexts?: string[];
}

export interface TokenLogprobs {
  /** Sum over the completion's tokens. */
  sum: number;
  /** Per completion token. */
  tokens: number[];
  tokenTexts: string[];
}

export interface TextModel {
  /** Model name (config `_name_or_path` or the folder name). */
  readonly id: string;
  readonly path: string;
  /** tfjs backend in use: "tensorflow" (tfjs-node), "wasm" or "cpu". */
  readonly backend: string;
  /** The tokenizer's chat template, when the folder has one. */
  readonly chatTemplate?: string;
  /** For each prompt, `params.n` completions; the same seed gives the same tokens. */
  generate(prompts: string[], params: SamplingParams, options?: { logprobs?: boolean; signal?: AbortSignal }): Promise<Completion[][]>;
  /** Log-probs of `completion` given `prompt`. */
  logprobs(prompt: string, completion: string): Promise<TokenLogprobs>;
  countTokens(text: string): number;
  dispose(): void;
}

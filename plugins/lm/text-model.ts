// TextModel over a Decoder + tokenizer: what the generator plugin, the model server and the trainers use.
import { basename, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { generate, type GenerateOptions } from './generate.js';
import type { Decoder } from './model.js';
import { tokenLogprob } from './sampling.js';
import type { TextTokenizer } from './tokenizer.js';
import type { Completion, SamplingParams, TextModel, TokenLogprobs } from './types.js';

export class LocalTextModel implements TextModel {
  readonly id: string;
  readonly path: string;
  readonly chatTemplate?: string;

  constructor(
    readonly decoder: Decoder,
    readonly tokenizer: TextTokenizer,
    readonly backend: string,
    path: string,
    readonly rawConfig: Record<string, unknown> = {},
    readonly generationConfig?: Record<string, unknown>,
  ) {
    this.path = resolve(path);
    const name = rawConfig._name_or_path;
    this.id = typeof name === 'string' && name ? name : basename(this.path);
    this.chatTemplate = tokenizer.chatTemplate;
  }

  generate(prompts: string[], params: SamplingParams & { seeds?: number[] }, options: GenerateOptions = {}): Promise<Completion[][]> {
    return generate(this.decoder, this.tokenizer, prompts, params, options);
  }

  /** Token ids as every part of crucible splits a (prompt, completion) pair: prompt with special tokens, then completion. */
  encodePair(prompt: string, completion: string): { prompt: number[]; completion: number[] } {
    return { prompt: this.tokenizer.encode(prompt, true), completion: this.tokenizer.encode(completion) };
  }

  async logprobs(prompt: string, completion: string): Promise<TokenLogprobs> {
    const enc = this.encodePair(prompt, completion);
    if (enc.completion.length === 0) return { sum: 0, tokens: [], tokenTexts: [] };
    let p = enc.prompt;
    if (p.length === 0) {
      const start = this.decoder.config.bosTokenId ?? this.tokenizer.eosIds[0] ?? this.decoder.config.eosTokenIds[0];
      p = start === undefined ? [] : [start];
    }
    // Without any context token the first completion token has no prediction: score from the second.
    const all = [...p, ...enc.completion];
    const scored = p.length ? enc.completion : enc.completion.slice(1);
    const first = p.length ? p.length - 1 : 0;
    const V = this.decoder.config.vocabSize;
    const logits = tf.tidy(() => {
      const ids = tf.tensor2d(Int32Array.from(all.slice(0, -1)), [1, all.length - 1], 'int32');
      const out = this.decoder.forward(ids, {}).logits;
      return tf.slice(out, [0, first, 0], [1, scored.length, V]);
    });
    const data = (await logits.data()) as Float32Array;
    logits.dispose();
    const tokens = scored.map((t, i) => tokenLogprob(data, i * V, V, t));
    return { sum: tokens.reduce((a, b) => a + b, 0), tokens, tokenTexts: scored.map((t) => this.tokenizer.tokenText(t)) };
  }

  countTokens(text: string): number {
    return this.tokenizer.encode(text).length;
  }

  dispose(): void {
    this.decoder.dispose();
  }
}

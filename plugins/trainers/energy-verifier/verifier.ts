// The energy verifier: the Llama-family decoder blocks of plugins/lm used as a causal encoder over
// `prompt tokens, code tokens, <end>`, pooled at the final <end> token (the one position that has read
// everything; sequences are left-padded so it is the last column for every row), with a scalar head
// E = w . RMSNorm(h_end) + b. Lower energy = more likely to pass. The head is the decoder's own
// `lm_head` slot with one output (untied), so the unchanged forward pass with `lastOnly` returns [B, 1].
// Bidirectional attention is skipped on purpose: the pooled end token attends to every position.
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { CrucibleError } from 'crucible-ml';
import { writeJsonAtomic } from 'crucible-ml/util';
import { ensureBackend, type BackendChoice } from '../../lm/backend.js';
import { parseConfig, toHfConfig } from '../../lm/config.js';
import { matmul } from '../../lm/train/matmul.js';
import { createDecoder, loadFolder, TOKENIZER_FILES } from '../../lm/folder.js';
import { Decoder } from '../../lm/model.js';
import { readSafetensors, writeSafetensors, type NamedTensor } from '../../lm/safetensors.js';
import { loadTokenizer, type TextTokenizer } from '../../lm/tokenizer.js';
import { scaleRow, textFeatures, TEXT_FEATURES, TEXT_FEATURES_VERSION, type FeatureScaling } from './text-features.js';

export const VERIFIER_FORMAT = 'crucible-energy-verifier';

export interface SequenceFormat {
  maxPromptTokens: number;
  maxCodeTokens: number;
  /** Appended to every sequence; its position is pooled. */
  endId: number;
  padId: number;
  /**
   * The generator's mean log-prob per code token (its summed log-prob / the code's token count under this
   * tokenizer) enters the energy as -w * meanLogprob, w learned (starts at 1: the log-prob reranker).
   */
  logprobFeature?: boolean;
  /**
   * Static text features of (prompt, code) (text-features.ts), standardised with the training samples'
   * mean/std, enter the energy as w . z, w learned from 0.
   */
  textFeatures?: FeatureScaling;
  /** false: the encoder was not trained (`trainable: "features"`); its term is 0 and is not computed. */
  encoderTerm?: boolean;
}

/** Per-candidate inputs besides the tokens, aligned with the sequences. */
export interface EnergyExtras {
  /** The generator's mean log-prob per code token (the log-prob feature). */
  meanLogprobs?: number[];
  /** Standardised text features. */
  features?: number[][];
}

const LP_WEIGHT = 'energy.logprob_weight';
const TEXT_WEIGHT = 'energy.text_weight';

export interface FreshEncoder {
  hiddenSize: number;
  layers: number;
  heads: number;
  kvHeads?: number;
  intermediateSize?: number;
}

/** Replaces the LM head by a scalar energy head (w [d, 1], b [1]). */
function attachEnergyHead(decoder: Decoder, seed: number): void {
  const old = decoder.params.get('lm_head.weight');
  if (old) {
    old.dispose();
    decoder.params.delete('lm_head.weight');
  }
  decoder.config.tieWordEmbeddings = false;
  const d = decoder.config.hiddenSize;
  // Zero-initialised: the starting energy is exactly 0 (or exactly the log-prob feature), so the epoch-0
  // candidate of the selection is the plain log-prob reranker rather than it plus head noise.
  void seed;
  decoder.params.set('lm_head.weight', tf.variable(tf.zeros([d, 1]), true, 'energy_head_w'));
  decoder.params.set('lm_head.bias', tf.variable(tf.zeros([1]), true, 'energy_head_b'));
}

/** The learned weight of the log-prob feature (not read by the decoder's forward pass). */
export function attachLogprobWeight(model: EnergyModel): void {
  if (!model.decoder.params.has(LP_WEIGHT)) model.decoder.params.set(LP_WEIGHT, tf.variable(tf.ones([1]), true, 'energy_logprob_w'));
  model.format.logprobFeature = true;
}

/** The learned weights of the text features, zero at the start (not read by the decoder's forward pass). */
export function attachTextFeatures(model: EnergyModel, scaling: FeatureScaling): void {
  if (!model.decoder.params.has(TEXT_WEIGHT)) model.decoder.params.set(TEXT_WEIGHT, tf.variable(tf.zeros([scaling.names.length, 1]), true, 'energy_text_w'));
  model.format.textFeatures = scaling;
}

export class EnergyModel {
  constructor(
    readonly decoder: Decoder,
    readonly tokenizer: TextTokenizer,
    readonly format: SequenceFormat,
    /** Folder the tokenizer files come from (copied on save). */
    readonly tokenizerDir: string,
  ) {}

  /** A fresh encoder with the tokenizer of `tokenizerDir`. */
  static fresh(tokenizerDir: string, e: FreshEncoder, limits: { maxPromptTokens: number; maxCodeTokens: number }, seed: number): EnergyModel {
    const tokenizer = loadTokenizer(tokenizerDir);
    const endId = tokenizer.eosIds[0] ?? 0;
    const decoder = createDecoder({
      vocabSize: tokenizer.vocabSize,
      hiddenSize: e.hiddenSize,
      numLayers: e.layers,
      numHeads: e.heads,
      numKvHeads: e.kvHeads ?? e.heads,
      intermediateSize: e.intermediateSize,
      maxPositions: limits.maxPromptTokens + limits.maxCodeTokens + 1,
      tieWordEmbeddings: true,
      eosTokenIds: [endId],
    }, seed);
    attachEnergyHead(decoder, seed);
    return new EnergyModel(decoder, tokenizer, { ...limits, endId, padId: tokenizer.padId ?? endId }, tokenizerDir);
  }

  /** Embeddings and the first `layers` blocks of an in-process model folder, plus a fresh energy head. */
  static fromModel(path: string, layers: number | undefined, limits: { maxPromptTokens: number; maxCodeTokens: number }, seed: number): EnergyModel {
    const tokenizer = loadTokenizer(path);
    const { decoder } = loadFolder(path);
    const keep = Math.min(layers ?? decoder.config.numLayers, decoder.config.numLayers);
    for (const [name, v] of [...decoder.params]) {
      const m = /^model\.layers\.(\d+)\./.exec(name);
      if (m && Number(m[1]) >= keep) {
        v.dispose();
        decoder.params.delete(name);
      }
    }
    decoder.config.numLayers = keep;
    attachEnergyHead(decoder, seed);
    const endId = tokenizer.eosIds[0] ?? decoder.config.eosTokenIds[0] ?? 0;
    return new EnergyModel(decoder, tokenizer, { ...limits, endId, padId: tokenizer.padId ?? endId }, path);
  }

  /** Token ids of one (prompt, code): the prompt's start, the code's start, then the end token. */
  tokens(prompt: string, code: string): number[] {
    const p = this.tokenizer.encode(prompt).slice(0, this.format.maxPromptTokens);
    const c = this.tokenizer.encode(code).slice(0, this.format.maxCodeTokens);
    return [...p, ...c, this.format.endId];
  }

  /** Mean log-prob per code token, the feature's value; NaN when the log-prob is missing. */
  meanLogprob(code: string, logprob: number | undefined): number {
    if (typeof logprob !== 'number' || !Number.isFinite(logprob)) return Number.NaN;
    return logprob / Math.max(1, this.tokenizer.encode(code).length);
  }

  /** Standardised text features of one candidate (the verifier must use them). */
  features(prompt: string, code: string): number[] {
    return scaleRow(textFeatures(prompt, code), this.format.textFeatures!);
  }

  /** Energies [B] of token sequences (left-padded into one batch); differentiable when `grad`. */
  energies(seqs: number[][], grad: boolean, extras: EnergyExtras = {}): tf.Tensor1D {
    const B = seqs.length;
    return tf.tidy(() => {
      let e = this.format.encoderTerm === false ? tf.zeros([B]) as tf.Tensor1D : this.encoderEnergies(seqs, grad);
      if (this.format.textFeatures) {
        const f = extras.features;
        if (!f || f.length !== B) throw new Error(`energies: ${B} sequences but ${f?.length ?? 'no'} feature rows`);
        const w = this.decoder.params.get(TEXT_WEIGHT)!;
        // The gradient-friendly matmul: tf.matMul's gradient is missing on wasm.
        const x = tf.tensor2d(f, [B, w.shape[0]]);
        e = tf.add(e, tf.reshape(grad ? matmul(x, w) : tf.matMul(x, w), [B])) as tf.Tensor1D;
      }
      if (!this.format.logprobFeature) return e;
      const meanLogprobs = extras.meanLogprobs;
      if (!meanLogprobs || meanLogprobs.length !== B || meanLogprobs.some((v) => !Number.isFinite(v))) {
        throw CrucibleError.at('CRUCIBLE_E_EVAL', { message: 'this verifier uses the generator\'s log-probs, and some candidates have none', hint: 'use a generator that reports log-probs (tfjs-lm, or openai-compatible with logprobs), or train with logprobFeature: false' });
      }
      return tf.sub(e, tf.mul(this.decoder.params.get(LP_WEIGHT)!, tf.tensor1d(meanLogprobs))) as tf.Tensor1D;
    });
  }

  /** The encoder's term: the scalar head on the pooled end token. */
  private encoderEnergies(seqs: number[][], grad: boolean): tf.Tensor1D {
    const B = seqs.length;
    const T = Math.max(...seqs.map((s) => s.length));
    const ids = new Int32Array(B * T).fill(this.format.padId);
    const mask = new Float32Array(B * T);
    seqs.forEach((s, b) => {
      const off = T - s.length;
      for (let t = 0; t < s.length; t++) {
        ids[b * T + off + t] = s[t];
        mask[b * T + off + t] = 1;
      }
    });
    return tf.tidy(() => tf.reshape(this.decoder.forward(tf.tensor2d(ids, [B, T], 'int32'), { grad, lastOnly: true, keyMask: mask }).logits, [B]) as tf.Tensor1D);
  }

  /** Energies of many sequences without gradients, `batch` at a time (similar lengths together). */
  scoreSequences(seqs: number[][], batch = 64, extras: EnergyExtras = {}): number[] {
    const out = new Array<number>(seqs.length);
    const order = seqs.map((_, i) => i).sort((a, b) => seqs[a].length - seqs[b].length);
    for (let i = 0; i < order.length; i += batch) {
      const idx = order.slice(i, i + batch);
      const e = this.energies(idx.map((j) => seqs[j]), false, pick(extras, idx));
      const v = e.dataSync();
      e.dispose();
      idx.forEach((j, t) => { out[j] = v[t]; });
    }
    return out;
  }

  /** `logprobs`: the generator's summed log-prob per code (needed when the verifier uses that feature). */
  async energy(prompt: string, codes: string[], batch = 64, logprobs?: Array<number | undefined>): Promise<number[]> {
    const meanLogprobs = this.format.logprobFeature ? codes.map((c, i) => this.meanLogprob(c, logprobs?.[i])) : undefined;
    const features = this.format.textFeatures ? codes.map((c) => this.features(prompt, c)) : undefined;
    return this.scoreSequences(codes.map((c) => this.tokens(prompt, c)), batch, { meanLogprobs, features });
  }

  variables(): tf.Variable[] {
    return [...this.decoder.params.values()];
  }

  /** What training updates: everything, the head and feature weights on a frozen encoder, or the feature weights only. */
  trainableVariables(mode: 'all' | 'head' | 'features'): tf.Variable[] {
    if (mode === 'all') return this.variables();
    const names = [LP_WEIGHT, TEXT_WEIGHT, ...(mode === 'head' ? ['lm_head.weight', 'lm_head.bias'] : [])];
    return names.filter((n) => this.decoder.params.has(n)).map((n) => this.decoder.params.get(n)!);
  }

  /** The verifier folder: config.json, model.safetensors (tfjs layout, linear weights [in, out]), tokenizer files. */
  save(dir: string, meta: Record<string, unknown> = {}): void {
    mkdirSync(dir, { recursive: true });
    const tensors = new Map<string, NamedTensor>();
    for (const [name, v] of this.decoder.params) tensors.set(name, { shape: v.shape, data: new Float32Array(v.dataSync()) });
    writeSafetensors(join(dir, 'model.safetensors'), tensors, { format: VERIFIER_FORMAT, layout: 'tfjs: linear weights [in, out]' });
    writeJsonAtomic(join(dir, 'config.json'), {
      format: VERIFIER_FORMAT,
      version: 1,
      energy: 'lower = more likely to pass; P(pass) = sigmoid(-energy) when trained with a BCE term',
      sequence: '[prompt tokens (start, <= maxPromptTokens)] [code tokens (start, <= maxCodeTokens)] [end]; causal encoder pooled at [end]',
      ...this.format,
      encoder: toHfConfig(this.decoder.config),
      meta,
    });
    if (resolve(this.tokenizerDir) !== resolve(dir)) {
      for (const f of TOKENIZER_FILES) if (existsSync(join(this.tokenizerDir, f))) copyFileSync(join(this.tokenizerDir, f), join(dir, f));
    }
  }

  dispose(): void {
    this.decoder.dispose();
  }
}

/** The extras of the sequences at `idx`. */
export function pick(extras: EnergyExtras, idx: readonly number[]): EnergyExtras {
  return { meanLogprobs: extras.meanLogprobs && idx.map((j) => extras.meanLogprobs![j]), features: extras.features && idx.map((j) => extras.features![j]) };
}

export interface Verifier {
  /** One energy per code (lower = more likely to pass); `logprobs` = the generator's summed log-prob per code. */
  energy(prompt: string, codes: string[], logprobs?: Array<number | undefined>): Promise<number[]>;
  dispose(): void;
  readonly model: EnergyModel;
}

/** Reads a verifier folder written by the energy-verifier trainer. */
export async function loadVerifier(path: string, options: { backend?: BackendChoice; batch?: number } = {}): Promise<Verifier> {
  const dir = resolve(path);
  const file = join(dir, 'config.json');
  if (!existsSync(file)) {
    throw CrucibleError.at('CRUCIBLE_E_MODEL', { file, message: 'not a verifier folder (no config.json)', hint: 'train one with the energy-verifier trainer' });
  }
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown> & SequenceFormat & { encoder: Record<string, unknown> };
  if (raw.format !== VERIFIER_FORMAT) {
    throw CrucibleError.at('CRUCIBLE_E_MODEL', { file, path: 'format', message: `format is ${JSON.stringify(raw.format)}, expected "${VERIFIER_FORMAT}"` });
  }
  await ensureBackend(options.backend ?? 'auto');
  const config = parseConfig(raw.encoder, file);
  const { tensors } = readSafetensors(join(dir, 'model.safetensors'));
  const params = new Map<string, tf.Variable>();
  for (const [name, t] of tensors) params.set(name, tf.variable(tf.tensor(t.data, t.shape, 'float32'), false));
  const textFeatures = raw.textFeatures === undefined ? undefined : checkScaling(raw.textFeatures, file);
  const format: SequenceFormat = { maxPromptTokens: raw.maxPromptTokens, maxCodeTokens: raw.maxCodeTokens, endId: raw.endId, padId: raw.padId, logprobFeature: raw.logprobFeature === true, textFeatures, encoderTerm: raw.encoderTerm === false ? false : undefined };
  const model = new EnergyModel(new Decoder(config, params), loadTokenizer(dir), format, dir);
  return { model, energy: (prompt, codes, logprobs) => model.energy(prompt, codes, options.batch, logprobs), dispose: () => model.dispose() };
}

/** A saved verifier's text features must be the ones this code computes, in the same order. */
function checkScaling(raw: unknown, file: string): FeatureScaling {
  const s = raw as Partial<FeatureScaling>;
  const f = TEXT_FEATURES.length;
  const sameNames = Array.isArray(s.names) && s.names.length === f && s.names.every((n, i) => n === TEXT_FEATURES[i]);
  if (!sameNames || s.version !== TEXT_FEATURES_VERSION || !Array.isArray(s.mean) || s.mean.length !== f || !Array.isArray(s.std) || s.std.length !== f || ![...s.mean, ...s.std].every(Number.isFinite)) {
    throw CrucibleError.at('CRUCIBLE_E_MODEL', { file, path: 'textFeatures', message: `the verifier's text features (version ${JSON.stringify(s.version)}) are not the ${f} of version ${TEXT_FEATURES_VERSION} this crucible computes`, hint: 'retrain the verifier with this version' });
  }
  return s as FeatureScaling;
}

// Sampling tokens/s with the KV cache vs without (ratio, same rows and lengths), batched sampling
// tokens/s at the generator's batch size, and SFT training tokens/s, on the tfjs backend in use. On wasm, the
// batched sampling and training are measured twice in the same run: with crucible's wasm kernels (SIMD matmul,
// row gather) and with tfjs' own (the baseline), and the ratio printed.
//   npx tsx bench/lm-throughput.ts [modelDir] [--backend wasm|cpu|tensorflow|auto]
// Default model: models/crucible-tiny-coder when it holds weights, else a random d=128, 4-layer model
// over that folder's tokenizer.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { createDecoder, ensureBackend, loadTextModel, loadTokenizer, saveFolder, type BackendChoice } from '../plugins/lm/index.js';
import { completionNll, makeBatch, truncate, type SeqExample } from '../plugins/lm/train/batch.js';
import { AdamW, decayMask } from '../plugins/lm/train/optim.js';
import { accumulateAndStep } from '../plugins/lm/train/step.js';
import { useWasmKernels } from '../plugins/lm/wasm/index.js';

const args = process.argv.slice(2);
const backendArg = args.includes('--backend') ? (args[args.indexOf('--backend') + 1] as BackendChoice) : 'auto';
const embedded = 'models/crucible-tiny-coder';
let dir = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--backend');
const backend = await ensureBackend(backendArg);

if (!dir) {
  if (existsSync(join(embedded, 'model.safetensors'))) dir = embedded;
  else {
    dir = mkdtempSync(join(tmpdir(), 'crucible-bench-'));
    const tok = loadTokenizer(embedded);
    const dec = createDecoder({ vocabSize: tok.vocabSize, hiddenSize: 128, numLayers: 4, numHeads: 4, eosTokenIds: tok.eosIds }, 1);
    saveFolder(dir, dec, { tokenizerFrom: embedded });
    dec.dispose();
    console.log(`no trained weights in ${embedded}: random d=128, 4-layer model over its tokenizer`);
  }
}
const model = await loadTextModel(dir, { backend: backendArg });
const c = model.decoder.config;
const params = model.decoder.trainableVariables().reduce((n, v) => n + v.size, 0);
console.log(`model ${dir}: d=${c.hiddenSize} layers=${c.numLayers} heads=${c.numHeads}/${c.numKvHeads} vocab=${c.vocabSize} params=${(params / 1e6).toFixed(2)}M backend=${backend}`);

const corpus = 'models/recipe/out/sft-corpus.jsonl';
const records: Array<{ prompt: string; completion: string }> = existsSync(corpus)
  ? readFileSync(corpus, 'utf8').split('\n').filter(Boolean).slice(0, 200).map((l) => JSON.parse(l))
  : Array.from({ length: 200 }, (_, i) => ({ prompt: `def f_${i}(x):\n    """Return x plus ${i}."""\n`, completion: `    return x + ${i}\n` }));
const prompts = records.map((r) => r.prompt);

// Sampling: fixed length (no stop, EOS can still end a row early; tokens are counted).
async function sample(nPrompts: number, n: number, maxTokens: number, useCache: boolean): Promise<number> {
  const t = performance.now();
  const out = await model.generate(prompts.slice(0, nPrompts), { n, maxTokens, temperature: 0.8, topP: 0.95, topK: 0, seed: 1, stop: [] }, { useCache, maxBatch: nPrompts * n });
  const tokens = out.flat().reduce((a, x) => a + x.tokens, 0);
  return tokens / ((performance.now() - t) / 1000);
}
await sample(1, 2, 4, true); // warm-up
const withCache = await sample(2, 10, 48, true);
const without = await sample(2, 10, 48, false);
console.log(`sampling 20 rows x 48 tokens: KV cache ${withCache.toFixed(0)} tok/s, no cache ${without.toFixed(0)} tok/s, ratio ${(withCache / without).toFixed(1)}x`);
const batched = await sample(10, 10, 60, true);
console.log(`sampling 100 rows (10 prompts x n=10) x 60 tokens with the KV cache: ${batched.toFixed(0)} tok/s`);
const kernels = backend === 'wasm' ? (['crucible', 'tfjs'] as const) : ([] as const);
const sampledWith: Record<string, number> = {};
for (const kernel of kernels) {
  useWasmKernels(kernel === 'crucible');
  await sample(1, 2, 4, true);
  sampledWith[kernel] = await sample(10, 10, 60, true);
}
useWasmKernels(true);
if (kernels.length) {
  const [ours, theirs] = [sampledWith.crucible, sampledWith.tfjs];
  console.log(`  same, by wasm kernels: crucible ${ours.toFixed(0)} tok/s, tfjs' own ${theirs.toFixed(0)} tok/s, ratio ${(ours / theirs).toFixed(2)}x`);
}

// Training: SFT steps of 16 sequences (completion-masked loss, AdamW, clipping).
const examples: SeqExample[] = records.map((r) => truncate(model.encodePair(r.prompt, r.completion), 256));
const vars = model.decoder.trainableVariables();
const opt = new AdamW(vars, decayMask(vars));
const step = (i: number) => {
  const b = makeBatch(examples.slice((i * 16) % 192, ((i * 16) % 192) + 16));
  accumulateAndStep(opt, 1, () => tf.div(completionNll(model.decoder, b, true), b.tokens) as tf.Scalar, 1e-4, 1);
  return b.positions;
};
function trainRate(): { rate: number; perSeq: number } {
  step(0);
  let positions = 0;
  const t0 = performance.now();
  for (let i = 1; i <= 5; i++) positions += step(i);
  return { rate: positions / ((performance.now() - t0) / 1000), perSeq: positions / 80 };
}
const trained = trainRate();
console.log(`training (batch 16, avg ${trained.perSeq.toFixed(0)} tokens/seq): ${trained.rate.toFixed(0)} tok/s`);
if (kernels.length) {
  useWasmKernels(false);
  const baseline = trainRate();
  useWasmKernels(true);
  console.log(`  same with tfjs' own wasm kernels: ${baseline.rate.toFixed(0)} tok/s; crucible's kernels ratio ${(trained.rate / baseline.rate).toFixed(2)}x`);
}
opt.dispose();
model.dispose();

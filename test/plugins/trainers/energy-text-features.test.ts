import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTestContext, instantiate } from '../../../core/testing/index.js';
import type { LabelledSample } from '../../../core/kernel/contract/data.js';
import type { Trainer } from '../../../core/kernel/contract/kinds.js';
import type { CrucibleError } from '../../../core/kernel/errors.js';
import { ensureBackend } from '../../../plugins/lm/backend.js';
import { readSafetensors } from '../../../plugins/lm/safetensors.js';
import plugin, { EnergyModel, loadVerifier } from '../../../plugins/trainers/energy-verifier/index.js';
import { fitScaling, scaleRow, textFeatures, TEXT_FEATURES } from '../../../plugins/trainers/energy-verifier/text-features.js';

const TOKENIZER = join(process.cwd(), 'models/crucible-tiny-coder');
const tiny = { encoder: { tokenizer: TOKENIZER, hiddenSize: 32, layers: 1, heads: 2 }, maxPromptTokens: 16, maxCodeTokens: 32, epochs: 4, lr: 0.01, warmupSteps: 2, batchSize: 32, patience: 0, textFeatures: true };
const feature = (prompt: string, code: string, name: (typeof TEXT_FEATURES)[number]) => textFeatures(prompt, code)[TEXT_FEATURES.indexOf(name)];

test.before(async () => {
  await ensureBackend('auto');
});

const CLAMP = 'def clamp_minus_3_to_25(x):\n    """Return x limited to the range -3 to 25.\n    >>> clamp_minus_3_to_25(22)\n    22\n    """\n';
const WRAP = 'def wrap(s, n):\n    """Return s with \'<<\' before it and \'>>\' after it."""\n';

test('text features: constants and strings the prompt does not state, well-formedness, parameters, size', () => {
  assert.is(TEXT_FEATURES.length, textFeatures(CLAMP, '    return x\n').length);
  // -3 and 25 are stated (the sign is dropped; the name spells them too), 0 and 1 are common, 33 and 7 are not.
  assert.is(feature(CLAMP, '    if x < -3:\n        return -3\n    return min(x, 25)\n', 'foreign_numbers'), 0);
  assert.is(feature(CLAMP, '    if x < 0:\n        return x + 1\n    return min(x, 33) + 7\n', 'foreign_numbers'), 2);
  assert.is(feature(CLAMP, '    return min(x, 33) + 25\n', 'foreign_number_share'), 0.5);
  assert.is(feature(CLAMP, '    return x1\n', 'numbers'), 0);
  assert.is(feature(WRAP, "    return '<<' + s + '>>'\n", 'foreign_strings'), 0);
  assert.is(feature(WRAP, "    return '((' + s + '' + ' ' + '>>'\n", 'foreign_strings'), 1);
  assert.is(feature(WRAP, "    return '((' + s + '>>'\n", 'strings'), 2);
  assert.is(feature(CLAMP, '    return max(max(x, -3)\n', 'brackets_balanced'), 0);
  assert.is(feature(CLAMP, "    return max(min(x, 25), -3) + len(')')\n", 'brackets_balanced'), 1);
  assert.is(feature(CLAMP, '    if x < -3:\n        return -3\n    return x\n', 'indentation_consistent'), 1);
  assert.is(feature(CLAMP, '    if x < -3:\n    return -3\n', 'indentation_consistent'), 0);
  assert.is(feature(CLAMP, '    y = x\n        return y\n', 'indentation_consistent'), 0);
  assert.is(feature(CLAMP, '    for v in x:\n', 'indentation_consistent'), 0);
  assert.is(feature(CLAMP, '    print(x)\n', 'returns'), 0);
  assert.is(feature(WRAP, '    return s\n', 'parameters_used'), 0.5);
  assert.is(feature(WRAP, '    return s * n\n', 'parameters_used'), 1);
  assert.is(feature(CLAMP, '    a = 1\n\n    return a\n', 'lines'), 2);
  const scaling = fitScaling([[0, 1, 2, 0, 0, 1, 1, 1, 1, 0, 1], [2, 1, 4, 0, 0, 1, 1, 1, 1, 0, 3]]);
  assert.equal(scaleRow([1, 1, 3, 0, 0, 1, 1, 1, 1, 0, 2], scaling), new Array(TEXT_FEATURES.length).fill(0));
  assert.equal(scaleRow([2, 1, 2, 0, 0, 1, 1, 1, 1, 0, 1], scaling).slice(0, 3), [1, 0, -1]);
});

/** Passing code returns x plus the docstring's constant; failing code plus another one; same shape otherwise. */
function constants(prefix: string, problems: number, split: 'train' | 'val'): LabelledSample[] {
  const out: LabelledSample[] = [];
  for (let p = 0; p < problems; p++) {
    const k = 10 + p;
    for (let i = 0; i < 6; i++) {
      const pass = i % 3 === 0;
      const code = `    return x + ${pass ? k : k + 7 + i}\n`;
      out.push({ problemId: `${prefix}${p}`, split, candidateId: `${prefix}${p}:${i}`, prompt: `def add(x):\n    """Return x plus ${k}."""\n`, code, label: pass ? 1 : 0, passRate: pass ? 1 : 0, status: pass ? 'SUCCESS' : 'WRONG_OUTPUT' });
    }
  }
  return out;
}

test('trainable "features": a linear model of the text features learns "a constant the prompt does not state fails"', async () => {
  const ctx = createTestContext({ seed: 7 });
  const trainer = await instantiate<Trainer>(plugin as never, { ...tiny, trainable: 'features' }, ctx);
  const result = await trainer.train({ samples: constants('t', 12, 'train'), validationSamples: constants('v', 4, 'val') });
  const s = result.stats as { valRankingAccuracy: number; textFeatureWeights: Record<string, number> };
  assert.is(s.valRankingAccuracy, 1);
  assert.ok(s.textFeatureWeights.foreign_numbers > 0, 'a foreign constant raises the energy');
  const config = JSON.parse(readFileSync(join(result.model.path, 'config.json'), 'utf8'));
  assert.equal(config.textFeatures.names, [...TEXT_FEATURES]);
  assert.is(config.encoderTerm, false);
  const v = await loadVerifier(result.model.path);
  const [right, wrong] = await v.energy('def add(x):\n    """Return x plus 99."""\n', ['    return x + 99\n', '    return x + 98\n']);
  assert.ok(right < wrong, `${right} < ${wrong}`);
  v.dispose();
  // A saved feature list this code does not compute is refused, not read in the wrong order.
  config.textFeatures.names = [...TEXT_FEATURES].reverse();
  writeFileSync(join(result.model.path, 'config.json'), JSON.stringify(config));
  try {
    await loadVerifier(result.model.path);
    assert.unreachable();
  } catch (err) {
    assert.is((err as CrucibleError).code, 'CRUCIBLE_E_MODEL');
    assert.match((err as Error).message, /textFeatures/);
  }
});

test('trainable "head": the encoder blocks stay as initialised, the head and feature weights move', async () => {
  const train = async (trainable: string) => {
    const ctx = createTestContext({ seed: 7 });
    const trainer = await instantiate<Trainer>(plugin as never, { ...tiny, epochs: 2, trainable }, ctx);
    const result = await trainer.train({ samples: constants('t', 6, 'train'), validationSamples: constants('v', 2, 'val') });
    return readSafetensors(join(result.model.path, 'model.safetensors')).tensors;
  };
  // The encoder a run with seed 7 starts from.
  const initial = EnergyModel.fresh(TOKENIZER, tiny.encoder, { maxPromptTokens: tiny.maxPromptTokens, maxCodeTokens: tiny.maxCodeTokens }, 7);
  const block = 'model.layers.0.mlp.up_proj.weight';
  const start = initial.decoder.params.get(block)!.dataSync();
  initial.dispose();
  const head = await train('head');
  const all = await train('all');
  const differs = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).some((v, i) => v !== b[i]);
  assert.ok(!differs(start, head.get(block)!.data), 'frozen encoder');
  assert.ok(differs(start, all.get(block)!.data), 'trained encoder');
  // Both start at zero.
  assert.ok(head.get('lm_head.weight')!.data.some((v) => v !== 0));
  assert.ok(head.get('energy.text_weight')!.data.some((v) => v !== 0));
});

test('trainable "features" with no feature on: CRUCIBLE_E_TRAIN naming the option', async () => {
  const trainer = await instantiate<Trainer>(plugin as never, { ...tiny, textFeatures: false, trainable: 'features' });
  try {
    await trainer.train({ samples: constants('t', 2, 'train') });
    assert.unreachable();
  } catch (err) {
    assert.is((err as CrucibleError).code, 'CRUCIBLE_E_TRAIN');
    assert.match((err as Error).message, /no feature/);
  }
});

test.run();

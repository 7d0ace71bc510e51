// The embedded model's SFT corpus and tokenizer: no val/test problem leaks into the corpus, every
// completion ends with eos, and the BPE tokenizer round-trips through @huggingface/tokenizers.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCorpus, EOS } from '../../../models/recipe/corpus.js';
import { buildTokenizer, checkRoundTrip, loadTokenizer } from '../../../models/recipe/tokenizer.js';
import { pieces, SPLIT_PATTERN } from '../../../models/recipe/bpe.js';
import { builtinProblems } from '../../../plugins/datasets/builtin/generate.js';
import { splitProblems } from '../../../core/pipeline/split.js';

const { records, stats } = buildCorpus({ examples: 3000 });
const split = splitProblems(builtinProblems());

test('corpus: size, eos, and no val/test problem in it', () => {
  assert.is(records.length, 3000);
  assert.is(stats.split.train, 100);
  const heldOutPrompts = new Set([...split.val, ...split.test].map((p) => p.prompt));
  const heldOutIds = new Set([...split.val, ...split.test].map((p) => p.id));
  const heldOutSigs = new Set([...split.val, ...split.test].map((p) => p.prompt.split('\n')[0]));
  for (const r of records) {
    assert.ok(r.completion.endsWith(EOS) && r.completion.indexOf(EOS) === r.completion.length - EOS.length);
    assert.ok(!heldOutPrompts.has(r.prompt), 'a val/test prompt reached the corpus');
    assert.ok(!heldOutSigs.has(r.prompt.split('\n')[0]), `a val/test signature reached the corpus: ${r.prompt.split('\n')[0]}`);
    if (r.problemId) assert.ok(!heldOutIds.has(r.problemId));
  }
  const trainIds = new Set(records.filter((r) => r.source === 'train').map((r) => r.problemId));
  assert.is(trainIds.size, 100, 'every train problem is in the corpus');
  assert.ok(stats.rejectedHeldOut > 0, 'held-out parameter sets were actually drawn and rejected');
});

test('corpus: deterministic', () => {
  assert.equal(buildCorpus({ examples: 500 }).records, buildCorpus({ examples: 500 }).records);
});

test('pre-tokenizer keeps every character and isolates indentation', () => {
  const s = 'def f(x):\n        return x + 12\n';
  assert.is(pieces(s).join(''), s);
  assert.ok(pieces(s).filter((p) => p === '    ').length === 2);
  assert.ok(pieces(s).includes(' 1') && pieces(s).includes('2'));
  assert.type(SPLIT_PATTERN, 'string');
});

test('tokenizer: trained here, loaded by @huggingface/tokenizers, round-trips the corpus', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crucible-tok-'));
  buildTokenizer(records, 600, dir);
  const rt = checkRoundTrip(loadTokenizer(dir), records);
  assert.is(rt.failures, 0, rt.firstFailure);
  assert.is(rt.vocabSize, 600);
  assert.ok(rt.chars / rt.tokens > 2.3, `compression ${rt.chars / rt.tokens}`);
});

test('the committed tokenizer round-trips the corpus and odd text', () => {
  const tok = loadTokenizer('models/crucible-tiny-coder');
  const rt = checkRoundTrip(tok, records);
  assert.is(rt.failures, 0, rt.firstFailure);
  assert.is(rt.eosId, 0);
  assert.is(rt.padId, 1);
  const odd = "x = ' '.join(['a', 'b']) ; y = \"don't\" \t\n\n  z = 'é' + '∑'  \n";
  assert.is(tok.decode(tok.encode(odd, { add_special_tokens: false }).ids, { clean_up_tokenization_spaces: false }), odd);
  assert.equal(tok.encode(`    return x${EOS}`, { add_special_tokens: false }).ids.slice(-1), [0]);
});

test.run();

// Every manifest in manifests/ works from a fresh clone: it validates (its data files ship in data/), and
// each one that needs no external server (no `baseURL` anywhere) runs to SUCCEEDED on a few problems.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveManifest } from '../../core/kernel/manifest/validate.js';
import { isCrucibleError } from '../../core/kernel/errors.js';
import { runManifest, tempDir } from '../helpers/kernel.js';

const dir = join(import.meta.dirname, '..', '..', 'manifests');
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

// Small enough for CI: a few problems, few samples, one short epoch; the settings stay the manifest's own.
const SMALL: Record<string, string[]> = {
  generator: ['stages.generator.config.n=4'],
  evaluator: ['stages.evaluator.config.n=2', 'stages.evaluator.config.k=[1]'],
};

test('the shipped manifests are all here', () => {
  assert.ok(files.length >= 9, files.join(', '));
});

for (const file of files) {
  test(`${file} validates from the checkout`, async () => {
    const resolved = await resolveManifest(join(dir, file));
    assert.ok(resolved.manifest.name);
  });
}

test('validate names a missing data file with its path (exit-2 class error)', async () => {
  const bad = join(tempDir(), 'bad.json');
  writeFileSync(bad, JSON.stringify({ name: 'bad', dataset: { plugin: 'humaneval', config: { path: 'missing/HumanEval.jsonl.gz' } } }, null, 2));
  try {
    await resolveManifest(bad);
    assert.unreachable('a missing file must fail validation');
  } catch (error) {
    if (!isCrucibleError(error)) throw error;
    assert.is(error.code, 'CRUCIBLE_E_MANIFEST');
    assert.is(error.issues[0].path, 'dataset.config.path');
    assert.type(error.issues[0].line, 'number');
    assert.match(error.issues[0].message, 'missing/HumanEval.jsonl.gz');
  }
});

for (const file of files) {
  test(`${file} runs with a small limit (or needs a server)`, async () => {
    const resolved = await resolveManifest(join(dir, file));
    if (JSON.stringify(resolved.manifest).includes('"baseURL"')) return; // an OpenAI-compatible server is needed
    const stages = resolved.manifest.stages as Record<string, { plugin: string; config?: Record<string, unknown> }>;
    // A multi-round manifest needs passing samples on its train split for every round: more problems, one round.
    const rounds = (resolved.manifest as { rounds?: unknown }).rounds !== undefined;
    // The builtin `fresh` problems keep a fixed split with a small train share: more problems, the manifest's own n.
    const fresh = (resolved.manifest.dataset as { config?: { fresh?: unknown } } | undefined)?.config?.fresh !== undefined;
    const sets = [`dataset.limit=${rounds || fresh ? 40 : 20}`, ...(rounds ? ['rounds.count=1'] : [])];
    if (stages.generator?.plugin === 'tfjs-lm' && !rounds && !fresh) sets.push(...SMALL.generator);
    if (stages.evaluator?.plugin === 'pass-at-k') sets.push(...SMALL.evaluator);
    if (stages.evaluator?.plugin === 'rerank') sets.push('stages.evaluator.config.k=2');
    if (stages.trainer?.config?.grid) sets.push('stages.trainer.config.grid.lr=[0.0001]', 'stages.trainer.config.grid.rpoAlpha=[1]', 'stages.trainer.config.selection.n=2', 'stages.trainer.config.selection.seeds=[1]');
    if (stages.trainer?.plugin === 'energy-verifier') sets.push('stages.trainer.config.epochs=1');
    const { outcome } = await runManifest(join(dir, file), { runsDir: tempDir(), sets });
    assert.is(outcome.state, 'SUCCEEDED', `${file}: ${outcome.error?.format()}`);
  });
}

test.run();

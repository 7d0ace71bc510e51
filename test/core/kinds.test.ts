// One list of plugin kinds (KINDS in core/kernel/contract/kinds.ts): manifest slots, stage names, the slot ->
// stage map and output checks derive from it, and no other file in core/ restates the list.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { KINDS, PLUGIN_KINDS, STAGE_SLOTS } from '../../core/kernel/contract/kinds.js';
import { manifestSchema, RUN_SLOTS } from '../../core/kernel/manifest/schema.js';
import { STAGE_NAMES } from '../../core/pipeline/experiment.js';

const root = join(import.meta.dirname, '..', '..');

test('slots, stage names and the manifest schema derive from KINDS', () => {
  assert.equal(PLUGIN_KINDS, ['dataset', 'generator', 'executor', 'scorer', 'pairing', 'trainer', 'evaluator']);
  assert.equal(STAGE_SLOTS, PLUGIN_KINDS.filter((k) => k !== 'dataset'));
  assert.equal(Object.keys(manifestSchema.properties.stages.properties), STAGE_SLOTS);
  assert.equal(STAGE_NAMES, ['dataset', 'split', 'generate', 'execute', 'score', 'pair', 'train', 'evaluate']);
  for (const kind of PLUGIN_KINDS) {
    assert.is(RUN_SLOTS[kind].kind, kind);
    assert.is(RUN_SLOTS[kind].stage, KINDS[kind].stage);
  }
  assert.equal(RUN_SLOTS.pairing.path, 'stages.pairing');
  assert.equal(RUN_SLOTS.dataset.path, 'dataset');
  assert.equal(RUN_SLOTS.baseline, { kind: 'trainer', path: 'rounds.baseline', stage: 'baseline' });
});

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

test('no file in core/ but kinds.ts lists the kinds (or their stage names) again', () => {
  // Three or more quoted kind names (or stage names) in a row is a restated list.
  const names = [...PLUGIN_KINDS, ...STAGE_NAMES].map((n) => `'${n}'`).join('|');
  const list = new RegExp(`(${names})\\s*[,:]\\s*(\\S+\\s*,\\s*)?(${names})\\s*[,:][^\\n]*(${names})`);
  const offenders = sources(join(root, 'core'))
    .filter((file) => !file.endsWith(join('contract', 'kinds.ts')) && !file.endsWith('builtins.ts'))
    .filter((file) => list.test(readFileSync(file, 'utf8')))
    .map((file) => relative(root, file));
  assert.equal(offenders, []);
});

test.run();

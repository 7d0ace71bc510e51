import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { resolveManifest } from '../../core/index.js';
import { CrucibleError } from '../../core/kernel/errors.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'manifests');
const cli = join(import.meta.dirname, '..', '..', 'core', 'cli', 'main.ts');

test('a bad manifest reports every error with path, file:line and a suggestion', async () => {
  try {
    await resolveManifest(join(fixtures, 'bad.json'));
    assert.unreachable('should have thrown');
  } catch (error) {
    assert.instance(error, CrucibleError);
    const e = error as CrucibleError;
    assert.is(e.code, 'CRUCIBLE_E_MANIFEST');
    const byPath = Object.fromEntries(e.issues.map((d) => [d.path, d]));
    assert.match(byPath['stages.generator.plugin'].message, 'CRUCIBLE_E_PLUGIN_NOT_FOUND');
    assert.match(byPath['stages.generator.plugin'].hint ?? '', 'did you mean "replay"');
    assert.match(byPath['stages.executor.plugin'].message, 'CRUCIBLE_E_PLUGIN_KIND');
    assert.match(byPath['stages.pairing.config.minGap'].message, 'must be >= 0');
    assert.is(byPath['stages.pairing.config.minGap'].line, 7);
    assert.ok(byPath['stages.generator.plugin'].file?.endsWith('bad.json'));
  }
});

test('crucible validate exits 2 and prints all three errors', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', cli, 'validate', join(fixtures, 'bad.json')], { encoding: 'utf8' });
  assert.is(r.status, 2);
  assert.match(r.stderr, 'stages.generator.plugin');
  assert.match(r.stderr, 'stages.executor.plugin');
  assert.match(r.stderr, 'stages.pairing.config.minGap');
  assert.match(r.stderr, 'bad.json:7');
});

test('extends merges slot config; --set switches a plugin and drops its old config', async () => {
  const child = await resolveManifest(join(fixtures, 'toy-child.json'));
  assert.is(child.manifest.name, 'toy-child');
  assert.equal((child.manifest.stages as any).pairing.config, { minGap: 0.1, maxPairs: 2, counter: '' });
  assert.is((child.manifest.stages as any).generator.plugin, '../plugins/toy-generator.ts');
  const set = await resolveManifest(join(fixtures, 'toy.json'), { sets: ['stages.pairing.config.maxPairs=3', 'seed=7'] });
  assert.is((set.manifest.stages as any).pairing.config.maxPairs, 3);
  assert.is(set.manifest.seed, 7);
  try {
    await resolveManifest(join(fixtures, 'toy.json'), { sets: ['stages.pairing.config.maxPairz=3'] });
    assert.unreachable();
  } catch (error) {
    const d = (error as CrucibleError).issues[0];
    assert.is(d.path, 'stages.pairing.config.maxPairz');
    assert.match(d.hint ?? '', 'did you mean "maxPairs"');
  }
});

test.run();

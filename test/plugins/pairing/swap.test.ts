// Through the real kernel: swapping all-pairs for best-of-n with --set reruns only pairing and what follows,
// and the two runs' pairing statistics differ as expected (duplicates kept: the toy model repeats its programs,
// so all-pairs pairs every correct copy with every wrong one while best-of-n keeps one chosen per problem).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runManifest, tempDir } from '../../helpers/kernel.js';

const manifest = join(import.meta.dirname, 'fixtures', 'swap.json');

test('--set stages.pairing.plugin=best-of-n reuses sampling and scoring; statistics differ', async () => {
  const runsDir = tempDir('crucible-swap-');
  const first = await runManifest(manifest, { runsDir });
  assert.is(first.row?.state, 'SUCCEEDED', JSON.stringify(first.outcome));
  const second = await runManifest(manifest, { runsDir, sets: ['stages.pairing.plugin=best-of-n'] });
  assert.is(second.row?.state, 'SUCCEEDED', JSON.stringify(second.outcome));
  const r1 = JSON.parse(readFileSync(join(first.dir, 'results.json'), 'utf8'));
  const r2 = JSON.parse(readFileSync(join(second.dir, 'results.json'), 'utf8'));
  const status = (r: any) => Object.fromEntries(r.run.stages.map((s: { stage: string; status: string }) => [s.stage, s.status]));
  const s2 = status(r2);
  for (const stage of ['generate', 'execute', 'score']) assert.is.not(s2[stage], 'ran', `${stage} should come from the cache (${JSON.stringify(s2)})`);
  assert.is(s2.pair, 'ran');
  const all = r1.pairing.stats;
  const bon = r2.pairing.stats;
  assert.is(all.plugin, 'all-pairs');
  assert.is(bon.plugin, 'best-of-n');
  assert.ok(all.pairs > bon.pairs, `all-pairs ${all.pairs} > best-of-n ${bon.pairs}`);
  assert.is(bon.distinctChosenPerProblem.max, 1);
  assert.ok(bon.pairsPerProblem.max <= 5);
  assert.ok(all.distinctChosenPerProblem.max > 1);
  // TRL-format preferences with crucible metadata.
  const prefs = readFileSync(join(second.dir, 'stages', 'pair', 'preferences.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.is(prefs.length, bon.pairs);
  for (const key of ['prompt', 'chosen', 'rejected', 'problemId', 'chosenScore', 'rejectedScore', 'chosenStatus', 'rejectedStatus', 'chosenId', 'rejectedId']) assert.ok(key in prefs[0], key);
  // The evaluator compared base and trained; the report exists.
  assert.ok('trained/pass@1' in r2.evaluation.headline);
  assert.ok(existsSync(join(second.dir, 'report.html')));
});

test.run();

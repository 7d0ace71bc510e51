// Forgery attempts: real hostile candidates run through the real executor under sandbox "required" (CI installs
// bubblewrap). The honest behaviour of each is `return False`, which fails HumanEval/0; whatever a candidate does to
// the harness, the report channel or the comparisons, it must never earn SUCCESS (at worst WRONG_OUTPUT or
// RUNTIME_ERROR), while the canonical solution stays SUCCESS.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createTestContext, instantiate } from '../../../core/testing/index.js';
import type { Execution } from '../../../core/kernel/contract/data.js';
import python, { type PythonExecutor } from '../../../plugins/executors/python/index.js';
import { candidates } from './helpers.js';
import { FORGERIES, HE0, HE0_CANONICAL, PLAIN_DATA_PROBLEM, STOP_ITERATION_FORGERIES } from './forgeries.js';

let executor: PythonExecutor;
const CONFIG = { sandbox: 'required', workers: 2, timeoutSeconds: 2, testTimeoutSeconds: 0.5, dedupe: false };

test.before(async () => {
  executor = await instantiate<PythonExecutor>(python as never, CONFIG, createTestContext());
});
test.after(async () => {
  await executor.close?.();
});

const verdicts = (executions: Execution[], names: string[]) =>
  executions.map((e, i) => `${names[i]}: ${e.status} ${e.passed}/${e.total} ${e.error ?? ''}`);

test('the canonical solution of HumanEval/0 is SUCCESS with passRate 1, in checker isolation', async () => {
  const [e] = await executor.execute(HE0, candidates([HE0.prompt + HE0_CANONICAL]));
  assert.equal([e.status, e.passRate, e.isolation], ['SUCCESS', 1, 'checker'], JSON.stringify(e));
});

test('the honest failing behaviour is WRONG_OUTPUT (what every forgery below starts from)', async () => {
  const [e] = await executor.execute(HE0, candidates([`${HE0.prompt}    return False\n`]));
  assert.is(e.status, 'WRONG_OUTPUT');
  assert.ok(e.passed > 0 && e.passed < e.total);
});

for (const [group, attempts] of Object.entries(FORGERIES)) {
  test(`forgery: ${group} never earns SUCCESS (WRONG_OUTPUT or RUNTIME_ERROR)`, async () => {
    const names = Object.keys(attempts);
    const executions = await executor.execute(HE0, candidates(Object.values(attempts).map((body) => HE0.prompt + body)));
    const shown = verdicts(executions, names);
    executions.forEach((e, i) => {
      assert.ok(['WRONG_OUTPUT', 'RUNTIME_ERROR'].includes(e.status), `forged: ${shown[i]}\n${e.stderr ?? ''}`);
      assert.ok(e.passRate < 1, shown[i]);
    });
  });
}

test('forgery: a StopIteration raised by the candidate cannot end a test\'s loop early', async () => {
  const names = Object.keys(STOP_ITERATION_FORGERIES);
  const executions = await executor.execute(PLAIN_DATA_PROBLEM, candidates(Object.values(STOP_ITERATION_FORGERIES)));
  const shown = verdicts(executions, names);
  for (const [i, e] of executions.entries()) {
    assert.ok(e.status !== 'SUCCESS', shown[i]);
    assert.equal(e.tests.map((t) => t.outcome), ['error', 'error', 'error'], `${shown[i]}: no test may pass on an early-ended loop`);
  }
});

test('after the forgeries the fork-servers still answer honestly', async () => {
  const [good, bad] = await executor.execute(HE0, candidates([HE0.prompt + HE0_CANONICAL, `${HE0.prompt}    return True\n`]));
  assert.equal([good.status, bad.status], ['SUCCESS', 'WRONG_OUTPUT']);
});

test.run();

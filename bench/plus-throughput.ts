// HumanEval+ at full strength: the 1,640 real Mistral-7B samples on every base and plus input, crucible fast-check
// against an evalplus-style baseline (bench/evalplus_style_baseline.py: a process pool, a forked check per sample
// and input group, inputs in sequence under evalplus's limits, fast_check on as in evalplus's default), interleaved
// in the same run: the problems are cut into --chunks parts and each part runs on both sides, alternating which goes
// first (ABBA...), so that the machine's load hits both alike; the ratio is total against total, with the spread of
// the per-part ratios. The baseline's pool has evalplus's default size, max(1, cores / 2) (1 on a 2-core machine);
// --baseline-workers 1,2 runs one baseline per size in each part and prints a ratio against each. Then how often the verdicts agree, graded mode (--graded: every input, the reward), and
// (--hog) whether any verdict changes when the same samples run again beside a CPU hog on every core.
//
//   node --import tsx bench/plus-throughput.ts [--data DIR] [--workers N] [--baseline-workers N] [--sandbox auto]
//     [--cache-dir DIR] [--chunks N] [--parts K[,K...]] [--skip-baseline] [--graded] [--hog] [--limit N]
// --baseline-workers N[,N...]; --parts runs only those parts (1-based) of the --chunks, so that a long comparison can
// be run in pieces, each under the bench lock for less than ~15 minutes (the parts' times add up). --floor only runs
// bench/plus_floor.py: the CPU the candidates' own code takes on the inputs fast-check must run (per sample, per
// distinct text, per dedupe key), the floor neither side can go under.
// Expected outputs are computed once and cached (the dataset's cache; the baseline's own in memory, untimed).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Candidate, Execution, Problem } from '../core/kernel/contract/data.js';
import { createTestContext, instantiate } from '../core/testing/index.js';
import { readJsonl } from '../core/util/jsonl.js';
import { packageRoot } from '../core/util/package-root.js';
import humaneval from '../plugins/datasets/humaneval.js';
import python, { type PythonExecutor } from '../plugins/executors/python/index.js';
import { resolveInterpreter } from '../plugins/executors/python/interpreter.js';
import { pythonLayoutKey } from '../plugins/executors/python/layout-key.js';
import { cleanCompletion, SAMPLES, type RawSample } from './samples.js';

const { values: opts } = parseArgs({
  options: {
    data: { type: 'string', default: join(packageRoot(), '..', 'shared', 'data') },
    workers: { type: 'string', default: String(availableParallelism()) },
    'baseline-workers': { type: 'string', default: String(Math.max(1, Math.floor(availableParallelism() / 2))) },
    sandbox: { type: 'string', default: 'auto' },
    'cache-dir': { type: 'string', default: '' },
    'skip-baseline': { type: 'boolean', default: false },
    graded: { type: 'boolean', default: false },
    chunks: { type: 'string', default: '4' },
    hog: { type: 'boolean', default: false },
    limit: { type: 'string', default: '0' },
    parts: { type: 'string', default: '' },
    floor: { type: 'boolean', default: false },
  },
});
const FILE = 'HumanEvalPlus-v0.1.10.jsonl.gz';
type Verdict = 'pass' | 'fail' | 'timeout';
interface Row { taskId: string; base: Verdict; plus: Verdict }

/** A group passes when every one of its tests passed (b<i> base inputs, p<i> plus inputs). */
const groupVerdict = (e: Execution, prefix: string): Verdict =>
  e.status !== 'SYNTAX_ERROR' && e.tests.filter((t) => t.id.startsWith(prefix)).every((t) => t.outcome === 'pass') ? 'pass' : 'fail';

interface CrucibleRun { seconds: number; executions: Map<string, Execution>; programs: number }

const startExecutor = (mode: 'fast-check' | 'graded') =>
  instantiate<PythonExecutor>(python as never, { workers: Number(opts.workers), sandbox: opts.sandbox, checkMode: mode }, createTestContext());

async function runCrucible(executor: PythonExecutor, byProblem: Array<[Problem, Candidate[]]>): Promise<CrucibleRun> {
  const before = executor.counts().programs;
  const t0 = performance.now();
  const results = await Promise.all(byProblem.map(([problem, candidates]) => executor.execute(problem, candidates)));
  const seconds = (performance.now() - t0) / 1000;
  return { seconds, executions: new Map(results.flat().map((e) => [e.candidateId, e])), programs: executor.counts().programs - before };
}

async function runCrucibleOnce(mode: 'fast-check' | 'graded', byProblem: Array<[Problem, Candidate[]]>): Promise<CrucibleRun> {
  const executor = await startExecutor(mode);
  try {
    return await runCrucible(executor, byProblem);
  } finally {
    await executor.close?.();
  }
}

async function runBaseline(programs: Array<{ task_id: string; solution: string }>, workers: number): Promise<{ seconds: number; rows: Map<string, Row> }> {
  const dir = mkdtempSync(join(tmpdir(), 'crucible-plus-bench-'));
  try {
    const samples = join(dir, 'samples.jsonl');
    const out = join(dir, 'out.jsonl');
    writeFileSync(samples, programs.map((p) => JSON.stringify(p)).join('\n') + '\n');
    const { executable } = await resolveInterpreter();
    const script = join(packageRoot(), 'bench', 'evalplus_style_baseline.py');
    const args = [script, join(opts.data!, FILE), samples, out, '--workers', String(workers), '--fast-check'];
    const stdout = await new Promise<string>((resolve, reject) => {
      const child = spawn(executable, args, { stdio: ['ignore', 'pipe', 'inherit'] });
      let text = '';
      child.stdout.on('data', (d: Buffer) => (text += d.toString()));
      child.on('close', (code) => (code === 0 ? resolve(text) : reject(new Error(`baseline exited with ${code}`))));
    });
    const { seconds } = JSON.parse(stdout.trim().split('\n').pop()!) as { seconds: number };
    const rows = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string; task_id: string; base: Verdict; plus: Verdict });
    return { seconds, rows: new Map(rows.map((r) => [r.id, { taskId: r.task_id, base: r.base, plus: r.plus }])) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const loadAverage = () => `load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`;

/** A busy loop on every core, niced like nothing: what a shared machine looks like. */
function startHog(): ChildProcess[] {
  return Array.from({ length: availableParallelism() }, () => spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }));
}

const passes = (r: { base: Verdict; plus: Verdict }) => [r.base === 'pass', r.base === 'pass' && r.plus === 'pass'] as const;

async function main(): Promise<void> {
  const ctx = createTestContext();
  const cacheDir = opts['cache-dir'] ?? '';
  const dataset = await instantiate<{ load(): Promise<Problem[]> }>(humaneval as never, { path: join(opts.data!, FILE), variant: 'plus', plusInputs: true, ...(cacheDir ? { cacheDir } : {}) }, ctx);
  const t0 = performance.now();
  const problems = await dataset.load();
  console.log(`loaded ${problems.length} problems, ${problems.reduce((n, p) => n + p.tests.length, 0)} inputs in ${((performance.now() - t0) / 1000).toFixed(1)} s (expected outputs cached after the first load)`);
  const byId = new Map(problems.map((p) => [p.id, p]));
  let samples = readJsonl<RawSample>(join(opts.data!, SAMPLES)).map((r) => r.value);
  if (Number(opts.limit) > 0) samples = samples.slice(0, Number(opts.limit));
  const byProblem = new Map<Problem, Candidate[]>();
  let candidates = samples.map((s, i) => {
    const problem = byId.get(s.task_id)!;
    const completion = cleanCompletion(s.completion);
    const list = byProblem.get(problem) ?? [];
    const c: Candidate = { id: `s${i}`, problemId: problem.id, index: list.length, prompt: problem.prompt, completion, code: problem.prompt + completion };
    list.push(c);
    byProblem.set(problem, list);
    return c;
  });
  const rowsOf = (ex: Map<string, Execution>): Row[] => candidates.map((c) => {
    const e = ex.get(c.id)!;
    return { taskId: c.problemId, base: groupVerdict(e, 'b'), plus: groupVerdict(e, 'p') };
  });
  const pass1 = (rows: Row[]) => {
    const tasks = new Map<string, [number, number, number]>();
    for (const r of rows) {
      const t = tasks.get(r.taskId) ?? [0, 0, 0];
      const [b, bp] = passes(r);
      tasks.set(r.taskId, [t[0] + Number(b), t[1] + Number(bp), t[2] + 1]);
    }
    const v = [...tasks.values()];
    return [v.reduce((a, t) => a + t[0] / t[2], 0) / v.length, v.reduce((a, t) => a + t[1] / t[2], 0) / v.length];
  };
  const show = (name: string, seconds: number, rows: Row[], extra = '') => {
    const [b, bp] = pass1(rows);
    console.log(`${name.padEnd(28)} ${seconds.toFixed(1).padStart(7)} s  ${(samples.length / seconds).toFixed(1).padStart(6)} samples/s  pass@1 base ${b.toFixed(4)}  base+plus ${bp.toFixed(4)}${extra}`);
  };

  if (opts.floor) {
    const dir = mkdtempSync(join(tmpdir(), 'crucible-plus-floor-'));
    try {
      const file = join(dir, 'samples.jsonl');
      writeFileSync(file, candidates.map((c) => JSON.stringify({ task_id: c.problemId, solution: c.code, key: pythonLayoutKey(c.code) })).join('\n') + '\n');
      const { executable } = await resolveInterpreter();
      const child = spawn(executable, [join(packageRoot(), 'bench', 'plus_floor.py'), join(opts.data!, FILE), file], { stdio: ['ignore', 'inherit', 'inherit'] });
      await new Promise((resolve) => child.on('close', resolve));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    return;
  }
  // ABBA over parts of the problem list: each part on both sides back to back, alternating which side goes first
  const all = [...byProblem];
  const parts = Math.max(1, Math.min(Number(opts.chunks), all.length));
  const only = opts.parts ? new Set(opts.parts.split(',').map(Number)) : undefined;
  const chunks = Array.from({ length: parts }, (_, k) => all.slice(Math.floor((k * all.length) / parts), Math.floor(((k + 1) * all.length) / parts)))
    .map((chunk, k) => ({ chunk, k })).filter(({ k }) => !only || only.has(k + 1));
  const entries = chunks.flatMap(({ chunk }) => chunk);
  const chosen = new Set(entries.flatMap(([, cs]) => cs));
  candidates = candidates.filter((c) => chosen.has(c));
  samples = candidates.map((c) => samples[Number(c.id.slice(1))]);
  const executor = await startExecutor('fast-check');
  const fast: CrucibleRun = { seconds: 0, executions: new Map(), programs: 0 };
  const pools = opts['skip-baseline'] ? [] : opts['baseline-workers']!.split(',').map(Number);
  const baselines = pools.map((workers) => ({ workers, seconds: 0, rows: new Map<string, Row>(), ratios: [] as number[] }));
  try {
    for (const { chunk, k } of chunks) {
      const ids = chunk.flatMap(([, cs]) => cs);
      const runA = async () => {
        const r = await runCrucible(executor, chunk);
        fast.seconds += r.seconds;
        fast.programs += r.programs;
        for (const [id, e] of r.executions) fast.executions.set(id, e);
        return r.seconds;
      };
      const runB = async () => {
        const times: number[] = [];
        for (const b of k % 2 === 0 ? baselines : [...baselines].reverse()) {
          const r = await runBaseline(ids.map((c) => ({ id: c.id, task_id: c.problemId, solution: c.code })), b.workers);
          b.seconds += r.seconds;
          for (const [id, row] of r.rows) b.rows.set(id, row);
          times[baselines.indexOf(b)] = r.seconds;
        }
        return times;
      };
      let a: number, b: number[];
      if (k % 2 === 0) {
        a = await runA();
        b = await runB();
      } else {
        b = await runB();
        a = await runA();
      }
      baselines.forEach((x, j) => x.ratios.push(b[j] / a));
      const against = baselines.map((x, j) => `baseline (${x.workers} workers) ${b[j].toFixed(1)} s, ratio ${(b[j] / a).toFixed(2)}x`).join(', ');
      console.log(`part ${k + 1}/${parts} (${chunk.length} problems, ${ids.length} samples, ${k % 2 === 0 ? 'crucible first' : 'baselines first'}): crucible ${a.toFixed(1)} s${against ? ', ' + against : ''}  [${loadAverage()}]`);
    }
  } finally {
    await executor.close?.();
  }
  const fastRows = rowsOf(fast.executions);
  show('crucible fast-check', fast.seconds, fastRows, `  (${fast.programs} programs run)`);
  for (const baseline of baselines) {
    const baseRows = candidates.map((c) => baseline.rows.get(c.id)!);
    show(`evalplus-style (${baseline.workers} workers)`, baseline.seconds, baseRows);
    const sorted = [...baseline.ratios].sort((x, y) => x - y);
    console.log(`ratio fast-check against ${baseline.workers} baseline workers: ${(baseline.seconds / fast.seconds).toFixed(2)}x (total against total; per part ${sorted.map((r) => r.toFixed(2)).join(', ')}, median ${sorted[Math.floor(sorted.length / 2)].toFixed(2)})  [${loadAverage()}]`);
    const agree = (x: Row[], y: Row[]) => x.filter((r, i) => passes(r).every((v, m) => v === passes(y[i])[m])).length;
    console.log(`agreement with the baseline (base and base+plus verdicts): ${agree(fastRows, baseRows)}/${samples.length}`);
    const differ = candidates.filter((_, i) => passes(fastRows[i]).some((x, m) => x !== passes(baseRows[i])[m]));
    for (const c of differ.slice(0, 20)) {
      const e = fast.executions.get(c.id)!;
      const i = candidates.indexOf(c);
      console.log(`  differs: ${c.problemId} ${c.id} crucible ${JSON.stringify(fastRows[i])} ${e.status} ${e.error ?? ''} baseline ${JSON.stringify(baseRows[i])}`);
    }
  }
  if (opts.graded) {
    const graded = await runCrucibleOnce('graded', entries);
    const gradedRows = rowsOf(graded.executions);
    show('crucible graded', graded.seconds, gradedRows, `  (${graded.programs} programs run)  [${loadAverage()}]`);
    const same = fastRows.filter((r, i) => passes(r).every((x, m) => x === passes(gradedRows[i])[m])).length;
    console.log(`fast-check and graded give the same base and base+plus verdicts on ${same}/${samples.length}`);
  }
  if (opts.hog) {
    const hogs = startHog();
    try {
      const again = await runCrucibleOnce('fast-check', entries);
      const flips = candidates.filter((c) => again.executions.get(c.id)!.status !== fast.executions.get(c.id)!.status);
      const verdictFlips = candidates.filter((c, i) => passes(rowsOf(again.executions)[i]).some((x, m) => x !== passes(fastRows[i])[m]));
      show(`crucible fast-check + ${hogs.length} CPU hogs`, again.seconds, rowsOf(again.executions), `  [${loadAverage()}]`);
      console.log(`beside the hogs: ${flips.length}/${samples.length} statuses and ${verdictFlips.length}/${samples.length} base/base+plus verdicts differ from the first run` +
        flips.slice(0, 10).map((c) => ` ${c.problemId}:${fast.executions.get(c.id)!.status}->${again.executions.get(c.id)!.status}`).join(''));
    } finally {
      for (const h of hogs) h.kill('SIGKILL');
    }
  }
}

await main();

// What the checker costs per program: HumanEval's canonical solutions run with the tests in the trusted checker
// (calls cross to the candidate's process) and, in the same run, with the tests inside the candidate's process (the
// in-process fallback, forced by a test setup that reads a candidate global). CPU time of the fork-servers and of
// everything below them (candidates, bwrap), per program, read from /proc: less sensitive to machine load than wall time.
//
//   node --import tsx bench/checker-cost.ts [--data DIR] [--rounds 3] [--sandbox auto|required|off] [--pairs 4]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Problem } from '../core/kernel/contract/data.js';
import { createTestContext, instantiate } from '../core/testing/index.js';
import { packageRoot } from '../core/util/package-root.js';
import humaneval from '../plugins/datasets/humaneval.js';
import python, { type PythonExecutor } from '../plugins/executors/python/index.js';

const { values: opts } = parseArgs({
  options: {
    data: { type: 'string', default: join(packageRoot(), '..', 'shared', 'data') },
    rounds: { type: 'string', default: '3' },
    pairs: { type: 'string', default: '4' },
    sandbox: { type: 'string', default: 'auto' },
  },
});
const IN_PROCESS_SETUP = 'if False:\n    candidate_state\n';

let faults = 0;
function treeTicks(root: number): number {
  let ticks = 0;
  const frontier = [root];
  while (frontier.length) {
    const pid = frontier.pop()!;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
      faults += Number(f[7]) + Number(f[8]);
      for (const task of readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) frontier.push(Number(task));
    } catch {
      // gone meanwhile
    }
  }
  return ticks;
}

async function measure(problems: Problem[], rounds: number): Promise<{ cpuMs: number; perSecond: number; modes: unknown; pageFaults: number }> {
  const executor = await instantiate<PythonExecutor>(python as never, { sandbox: opts.sandbox, workers: 2 }, createTestContext());
  const run = () => Promise.all(problems.map((p) => executor.execute(p, [{ id: p.id, problemId: p.id, index: 0, prompt: p.prompt, completion: '', code: p.prompt + p.canonicalSolution! }])));
  await run(); // start the servers, compile the problems
  faults = 0;
  const before = executor.serverPids().reduce((n, pid) => n + treeTicks(pid), 0);
  const faultsBefore = faults;
  const t0 = performance.now();
  for (let r = 0; r < rounds; r++) await run();
  const seconds = (performance.now() - t0) / 1000;
  faults = 0;
  const ticks = executor.serverPids().reduce((n, pid) => n + treeTicks(pid), 0) - before;
  const pageFaults = (faults - faultsBefore) / (problems.length * rounds);
  const modes = executor.describe().isolation;
  await executor.close?.();
  const programs = problems.length * rounds;
  return { cpuMs: (ticks * 10) / programs, perSecond: programs / seconds, modes, pageFaults };
}

const problems = await (await instantiate<{ load(): Promise<Problem[]> }>(humaneval as never, { path: join(opts.data!, 'HumanEval.jsonl.gz') }, createTestContext())).load();
const inProcess = problems.map((p) => ({ ...p, testSetup: IN_PROCESS_SETUP + (p.testSetup ?? '') }));
const rounds = Number(opts.rounds);
console.log(`HumanEval canonical x${rounds}, 2 workers, sandbox ${opts.sandbox}: CPU ms per program (fork-servers and everything below them)`);
const ratios: number[] = [];
for (let i = 0; i < Number(opts.pairs); i++) {
  // Alternate which side goes first, so that a change in the machine's load between the two hits both alike.
  let checker, inside;
  if (i % 2 === 0) {
    checker = await measure(problems, rounds);
    inside = await measure(inProcess, rounds);
  } else {
    inside = await measure(inProcess, rounds);
    checker = await measure(problems, rounds);
  }
  ratios.push(checker.cpuMs / inside.cpuMs);
  console.log(`checker ${checker.cpuMs.toFixed(2)} ms, ${checker.pageFaults.toFixed(0)} page faults (${checker.perSecond.toFixed(0)}/s)  in-process ${inside.cpuMs.toFixed(2)} ms, ${inside.pageFaults.toFixed(0)} page faults (${inside.perSecond.toFixed(0)}/s)  difference ${(checker.cpuMs - inside.cpuMs).toFixed(2)} ms, ratio ${ratios[i].toFixed(3)}`);
}
const sorted = [...ratios].sort((a, b) => a - b);
const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
console.log(`checker / in-process CPU per program: median ${median.toFixed(3)} over ${ratios.length} pairs (range ${sorted[0].toFixed(3)}-${sorted[sorted.length - 1].toFixed(3)})`);

// A scripted generator and executor: each problem's samples have a fixed status mix, so metrics are known exactly.
import type { Candidate, Execution, ExecutionStatus, Problem } from '../../../core/kernel/contract/data.js';
import type { Executor, GenerateOptions, Generator } from '../../../core/kernel/contract/kinds.js';

export function problem(id: string): Problem {
  return { id, prompt: `def ${id}():\n`, entryPoint: id, tests: [{ id: 't1', code: 'assert True' }, { id: 't2', code: 'assert True' }], language: 'python', meta: {} };
}

/** statuses[problemId] = the status of each sample, in order; the completion carries the status for the executor. */
export function scriptedGenerator(model: string, statuses: Record<string, ExecutionStatus[]>, seen: GenerateOptions[] = []): Generator {
  return {
    info: () => ({ model, promptFormat: 'completion:raw' }),
    async *generate(problems: Problem[], options: GenerateOptions = {}) {
      seen.push(options);
      for (const p of problems) {
        const list = statuses[p.id].slice(0, options.n ?? 10);
        const candidates: Candidate[] = list.map((s, i) => ({
          id: `${model}:${p.id}:${i}`, problemId: p.id, index: i, prompt: p.prompt, completion: `    return '${s}'\n`, code: `${p.prompt}    return '${s}'\n`, durationMs: 5,
        }));
        yield { problem: p, candidates };
      }
    },
  };
}

export const scriptedExecutor: Executor = {
  async execute(p: Problem, candidates: Candidate[]): Promise<Execution[]> {
    return candidates.map((c) => {
      const status = /'(\w+)'/.exec(c.completion)![1] as ExecutionStatus;
      const passed = status === 'SUCCESS' ? 2 : status === 'WRONG_OUTPUT' ? 1 : 0;
      return { candidateId: c.id, problemId: p.id, status, passed, total: 2, passRate: passed / 2, tests: [], durationMs: 3 };
    });
  },
};

/** n statuses: `success` SUCCESS then the rest cycling through `others`. */
export function mix(n: number, success: number, others: ExecutionStatus[] = ['WRONG_OUTPUT']): ExecutionStatus[] {
  return Array.from({ length: n }, (_, i) => (i < success ? 'SUCCESS' : others[(i - success) % others.length]));
}

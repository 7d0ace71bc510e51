// Per-test time limits from the canonical solution, in the manner of evalplus (max(floor, k x ground-truth time),
// k = 4; evalplus's floor is 1-4 s of wall time, ours 0.25 s of CPU time, which load does not inflate): a test may
// take `factor` times the CPU the canonical solution needs on it, and at least the configured floor. Measured on the same machine, so a slower
// machine raises the limits with the solution's own cost instead of flipping verdicts.
// Calibration is lazy: it runs only for a problem where some candidate hit the floor, which is rare and cheap.
import type { Problem } from 'crucible-ml';
import { sha256 } from 'crucible-ml/util';
import type { RawResult } from './fork-server.js';
import { ServerDied } from './fork-server.js';

export type RunProgram = (problem: Problem, code: string, testTimeouts: number[], afterTimeout?: number[]) => Promise<RawResult | ServerDied>;

/** The canonical solution as a whole program: HumanEval's is a body to append to the prompt, MBPP's is complete. */
export function canonicalProgram(problem: Problem): string | undefined {
  const solution = problem.canonicalSolution;
  if (!solution) return undefined;
  const defines = new RegExp(`^\\s*(?:async\\s+)?def\\s+${problem.entryPoint.replace(/[^\w]/g, '')}\\s*\\(`, 'm');
  return defines.test(solution) ? solution : problem.prompt + solution;
}

export class TestLimits {
  private readonly calibrated = new Map<string, Promise<number[] | undefined>>();

  constructor(
    private readonly floor: number,
    private readonly factor: number,
    private readonly programTimeout: number,
    private readonly run: RunProgram,
  ) {}

  /** The floor for every test: what candidates run with until a calibration says otherwise. */
  defaults(problem: Problem): number[] {
    return problem.tests.map(() => this.floor);
  }

  /** Whether a timeout at the floor could be lifted by calibrating this problem. */
  canCalibrate(problem: Problem): boolean {
    return this.factor > 0 && canonicalProgram(problem) !== undefined;
  }

  /** Per-test limits from one run of the canonical solution (cached); undefined when it cannot tell. */
  limits(problem: Problem): Promise<number[] | undefined> {
    const key = sha256(JSON.stringify([problem.id, problem.prompt, problem.canonicalSolution, problem.testSetup ?? null, problem.tests.map((t) => t.code)]));
    let found = this.calibrated.get(key);
    if (!found) {
      found = this.measure(problem);
      this.calibrated.set(key, found);
    }
    return found;
  }

  private async measure(problem: Problem): Promise<number[] | undefined> {
    const code = canonicalProgram(problem);
    if (!code) return undefined;
    const raw = await this.run(problem, code, problem.tests.map(() => this.programTimeout));
    if (raw instanceof ServerDied || raw.syntax || raw.fatal) return undefined;
    // A test the canonical solution does not pass gives no reference time: it keeps the floor.
    return problem.tests.map((_, i) => {
      const t = raw.tests[i];
      return t && t.o === 'pass' && t.cpu !== undefined ? Math.max(this.floor, this.factor * t.cpu) : this.floor;
    });
  }
}

// HumanEval+ and MBPP+ as data (shared by the humaneval and mbpp plugins): python/plus_tests.py runs the canonical
// solution on every input once, and stores inputs, expected outputs and the canonical CPU time per input in one
// marshal file named by its sha256 (Problem.testData). Tests are `_crucible_check(k)`: the executor's trusted
// checker holds the data and compares with the reference's rules (special oracles, atol), never the candidate.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Problem } from '../../../core/index.js';
import { datasetError, type RawRecord } from './fields.js';
import { runTool } from './run.js';
import { openCacheDir } from './verified-cache.js';

export interface PlusResult {
  id: string;
  tests?: Array<{ source: 'base' | 'plus'; index: number; code: string }>;
  skipped?: Array<{ source: string; index: number; reason: string }>;
  inputsFrom?: string;
  data?: { file: string; sha256: string };
  oracle?: string | null;
  error?: string;
}

export interface PlusTask {
  id: string;
  program: string;
  entryPoint: string;
  raw?: string;
  atol: unknown;
  assertion?: unknown;
}

let scratchData: string | undefined;

/** Where the data files go: beside the cached answers (a per-user 0700 folder), or (no cache, or a folder other users
 * could write) one scratch folder per process. Each file is checked against its sha256 before a checker gets it. */
export function plusDataDir(cacheDir: string): string {
  const safe = cacheDir ? openCacheDir(cacheDir) : undefined;
  if (safe) return join(safe, 'plus-data');
  scratchData ??= mkdtempSync(join(tmpdir(), 'crucible-plus-data-'));
  return scratchData;
}

export async function runPlusTests(
  tasks: PlusTask[],
  o: { dataset: 'humaneval' | 'mbpp'; file: string; fileHash: string; cacheDir: string; plusInputs: boolean; maxPlusInputs: number },
): Promise<PlusResult[]> {
  const dataDir = plusDataDir(o.cacheDir);
  const options = { plusInputs: o.plusInputs, maxPlusInputs: o.maxPlusInputs, dataDir, format: 'crucible-plus-v1' };
  return runTool<PlusResult>({
    command: 'plus-tests',
    tasks: tasks.map((t) => ({ ...t, dataset: o.dataset, dataDir, plusInputs: o.plusInputs, maxPlusInputs: o.maxPlusInputs })),
    file: o.file,
    fileHash: o.fileHash,
    cacheDir: o.cacheDir,
    options,
    // a cached answer whose data files were removed is computed again
    valid: (parsed) => (parsed as PlusResult[]).every((r) => !r.data || existsSync(r.data.file)),
  });
}

/** A HumanEval+/MBPP+ problem from the plus-tests answer; inputs without an expected value are listed in meta. */
export function plusProblem(
  r: RawRecord,
  res: PlusResult | undefined,
  p: { id: string; prompt: string; entryPoint: string; canonicalSolution: string; meta: Record<string, unknown> },
): Problem {
  if (!res || res.id !== p.id) throw datasetError(r.where, `internal: the expected-output helper answered out of order at ${p.id}`);
  if (res.error) throw datasetError(r.where, `${p.id}: cannot compute the canonical solution's outputs: ${res.error}`);
  if (!res.tests!.length || !res.data) throw datasetError(r.where, `${p.id}: no input has a computable expected output (${res.skipped?.[0]?.reason ?? 'no inputs'})`);
  return {
    id: p.id,
    prompt: p.prompt,
    entryPoint: p.entryPoint,
    // b<i>: base input i, p<i>: plus input i (crucible exec reports base and base+plus pass@1 from these)
    tests: res.tests!.map((t) => ({ id: t.source === 'base' ? `b${t.index}` : `p${t.index}`, code: t.code })),
    testData: { file: res.data.file, sha256: res.data.sha256, format: 'crucible-plus-v1' },
    canonicalSolution: p.canonicalSolution,
    language: 'python',
    meta: { ...p.meta, inputsFrom: res.inputsFrom, oracle: res.oracle ?? null, skippedInputs: res.skipped ?? [] },
  };
}

// HumanEval+ and MBPP+ as data (shared by the humaneval and mbpp plugins): python/plus_tests.py runs the canonical
// solution on every input once, and stores inputs, expected outputs and the canonical CPU time per input in one
// marshal file named by its sha256 (Problem.testData). Tests are `_crucible_check(k)`: the executor's trusted
// checker holds the data and compares with the reference's rules (special oracles, atol), never the candidate.
import { existsSync, mkdirSync, mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Problem } from 'crucible-ml';
import { sha256 } from 'crucible-ml/util';
import { datasetError, type RawRecord } from './fields.js';
import { runTool } from './run.js';
import { openCacheDir } from './verified-cache.js';

export interface PlusResult {
  id: string;
  tests?: Array<{ source: 'base' | 'plus'; index: number; code: string }>;
  skipped?: Array<{ source: string; index: number; reason: string }>;
  inputsFrom?: string;
  /** From the helper: sha256 and size of its blob; once stored: the file. */
  data?: { file?: string; sha256: string; bytes?: number };
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
    tasks: tasks.map((t) => ({ ...t, dataset: o.dataset, plusInputs: o.plusInputs, maxPlusInputs: o.maxPlusInputs })),
    file: o.file,
    fileHash: o.fileHash,
    cacheDir: o.cacheDir,
    options,
    // a cached answer whose data files were removed is computed again
    valid: (parsed) => (parsed as PlusResult[]).every((r) => !r.data || (r.data.file !== undefined && existsSync(r.data.file))),
    trailer: (parsed, bytes) => storeBlobs(parsed as PlusResult[], bytes, dataDir, o.file),
  });
}

/** The helper's blobs, in the order its results name them: each checked against its sha256, stored by that name. */
function storeBlobs(results: PlusResult[], bytes: Buffer, dataDir: string, file: string): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  let at = 0;
  for (const r of results) {
    if (!r.data) continue;
    const size = r.data.bytes ?? -1;
    const blob = bytes.subarray(at, at + size);
    at += size;
    if (size < 0 || blob.length !== size || sha256(blob) !== r.data.sha256) {
      throw datasetError({ file }, `internal: the expected-output helper's data for ${r.id} is truncated or does not match its sha256`);
    }
    const target = join(dataDir, `${r.data.sha256}.marshal`);
    if (!existsSync(target)) {
      const tmp = `${target}.${process.pid}.tmp`;
      writeFileSync(tmp, blob, { mode: 0o600 });
      renameSync(tmp, target);
    }
    r.data = { file: target, sha256: r.data.sha256 };
  }
  if (at !== bytes.length) throw datasetError({ file }, 'internal: the expected-output helper wrote more data than its results name');
}

/** A HumanEval+/MBPP+ problem from the plus-tests answer; inputs without an expected value are listed in meta. */
export function plusProblem(
  r: RawRecord,
  res: PlusResult | undefined,
  p: { id: string; prompt: string; entryPoint: string; canonicalSolution: string; meta: Record<string, unknown> },
): Problem {
  if (!res || res.id !== p.id) throw datasetError(r.where, `internal: the expected-output helper answered out of order at ${p.id}`);
  if (res.error) throw datasetError(r.where, `${p.id}: cannot compute the canonical solution's outputs: ${res.error}`);
  if (!res.tests!.length || !res.data?.file) throw datasetError(r.where, `${p.id}: no input has a computable expected output (${res.skipped?.[0]?.reason ?? 'no inputs'})`);
  return {
    id: p.id,
    prompt: p.prompt,
    entryPoint: p.entryPoint,
    // b<i>: base input i, p<i>: plus input i (crucible exec reports base and base+plus pass@1 from these)
    tests: res.tests!.map((t) => ({ id: t.source === 'base' ? `b${t.index}` : `p${t.index}`, code: t.code })),
    testData: { file: res.data.file!, sha256: res.data.sha256, format: 'crucible-plus-v1' },
    canonicalSolution: p.canonicalSolution,
    language: 'python',
    meta: { ...p.meta, inputsFrom: res.inputsFrom, oracle: res.oracle ?? null, skippedInputs: res.skipped ?? [] },
  };
}

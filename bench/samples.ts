// The 1,640 real Mistral-7B HumanEval samples in ../shared/data/samples/, and the clean-up their recorded verdicts
// were made with (../shared/data/README.md, steps 1-4). Shared by the executor benchmarks.
export const SAMPLES = 'samples/humaneval_mistral-7b-instruct-v0.1_n10_t0.2.results.jsonl';

export interface RawSample { task_id: string; completion: string; result: string; passed: boolean }

export function cleanCompletion(completion: string): string {
  let c = completion.replace(/"""[\s\S]*?"""/g, '').replace(/'''[\s\S]*?'''/g, '');
  c = c.replace(/END CODE/g, '\n');
  if (/^\w/.test(c)) c = '\t' + c;
  return c;
}

// Makes humaneval-x-mutants.jsonl: replayable JavaScript samples for manifests/humaneval-x-replay-dpo.json, without a
// model. For each HumanEval-X problem, sample 0 is the canonical solution (errata applied) and samples 1-2 are
// mutants of it, drawn with a seeded RNG from mistakes a model makes: a flipped comparison or operator, an
// off-by-one constant, a dropped closing brace (SYNTAX_ERROR), a property read on null (RUNTIME_ERROR), a body that
// returns undefined. Deterministic: the same file comes out every time.
//
//   node --import tsx examples/javascript-samples/mutate.ts [--data data/humaneval-x/humaneval_js.jsonl.gz] [--out FILE]
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createTestContext, instantiate } from 'crucible-ml/testing';
import type { Problem } from 'crucible-ml';
import humanevalX from '../../plugins/datasets/humaneval-x/index.js';

const here = import.meta.dirname ?? '.';
const { values: opts } = parseArgs({
  options: {
    data: { type: 'string', default: join(here, '..', '..', 'data', 'humaneval-x', 'humaneval_js.jsonl.gz') },
    out: { type: 'string', default: join(here, 'humaneval-x-mutants.jsonl') },
    mutants: { type: 'string', default: '2' },
  },
});

/** mulberry32: a tiny seeded RNG, enough to pick mutation sites reproducibly. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Mutation = (body: string, pick: () => number) => string | undefined;

/** Replaces one match of `pattern` (chosen by `pick`) with `replace(match)`; undefined when nothing matches. */
const replaceOne = (pattern: RegExp, replace: (m: string) => string): Mutation => (body, pick) => {
  const sites = [...body.matchAll(pattern)];
  if (sites.length === 0) return undefined;
  const site = sites[Math.floor(pick() * sites.length)];
  return body.slice(0, site.index) + replace(site[0]) + body.slice(site.index! + site[0].length);
};

const FLIP: Record<string, string> = { '<=': '<', '>=': '>', '<': '<=', '>': '>=', '===': '!==', '!==': '===', '==': '!=', '!=': '==', '&&': '||', '||': '&&' };
const MUTATIONS: Array<[string, Mutation]> = [
  ['flip a comparison or logical operator', replaceOne(/<=|>=|===|!==|==|!=|&&|\|\||(?<![=<>!-])[<>](?![=>])/g, (m) => FLIP[m] ?? m)],
  ['off-by-one constant', replaceOne(/\b[0-9]\b(?!\.)/g, (m) => String(Number(m) + 1))],
  ['swap + and -', replaceOne(/(?<=\s)[+-](?=\s)/g, (m) => (m === '+' ? '-' : '+'))],
  ['drop the last closing brace', (body) => (body.lastIndexOf('}') >= 0 ? body.slice(0, body.lastIndexOf('}')) + body.slice(body.lastIndexOf('}') + 1) : undefined)],
  ['read a property of null first', (body) => `  const first = null;\n  if (first.length === 0) return undefined;\n${body}`],
  ['return undefined', () => '  return undefined\n}\n'],
];

async function main(): Promise<void> {
  const problems = await (await instantiate<{ load(): Promise<Problem[]> }>(humanevalX as never, { path: opts.data }, createTestContext())).load();
  const pick = rng(42);
  const lines: string[] = [];
  const count = Number(opts.mutants);
  for (const p of problems) {
    const canonical = p.canonicalSolution ?? '';
    lines.push(JSON.stringify({ task_id: p.id, completion: canonical, mutation: 'none (canonical)' }));
    const used = new Set<string>();
    for (let k = 0; k < count; k++) {
      for (let tries = 0; tries < 20; tries++) {
        const [name, mutate] = MUTATIONS[Math.floor(pick() * MUTATIONS.length)];
        const mutant = mutate(canonical, pick);
        if (mutant === undefined || mutant === canonical || used.has(mutant)) continue;
        used.add(mutant);
        lines.push(JSON.stringify({ task_id: p.id, completion: mutant, mutation: name }));
        break;
      }
    }
  }
  writeFileSync(opts.out!, lines.join('\n') + '\n');
  console.log(`${lines.length} samples for ${problems.length} problems -> ${opts.out}`);
}

await main();

// Deterministic generation of the builtin problem set from the families, and the rendering the SFT
// recipe shares (so corpus prompts look exactly like dataset prompts).
import type { Problem } from 'crucible-ml';
import { SeededRng, deriveSeed } from 'crucible-ml/util';
import { py, type Family, type Instance } from './family.js';
import { ARITHMETIC } from './families-arithmetic.js';
import { COMPARE } from './families-compare.js';
import { STRINGS } from './families-strings.js';
import { LISTS } from './families-lists.js';
import { DICTS_RANGES } from './families-dicts-ranges.js';

export const FAMILIES: readonly Family[] = [...ARITHMETIC, ...COMPARE, ...STRINGS, ...LISTS, ...DICTS_RANGES];

/** Size of the whole set; families get an equal share (the first ones one more). */
export const TOTAL_PROBLEMS = 200;
/** Fixed: the problem set is part of the project, not of a run's seed. */
const DATASET_SEED = 20240917;

export const paramKey = (params: unknown): string => JSON.stringify(params);

const indent = (body: string): string => body.split('\n').map((l) => (l ? `    ${l}` : l)).join('\n') + '\n';

export interface Rendered {
  prompt: string;
  /** Every correct body, indented, ending in "\n"; solutions[0] is the canonical one. */
  solutions: string[];
  tests: { args: string; expected: string; code: string }[];
}

export function render(inst: Instance, canonical = 0): Rendered {
  const cases = inst.inputs.map((args) => ({
    args: args.map(py).join(', '),
    expected: py(inst.f(...(args as unknown[]))),
  }));
  const ex = cases[0];
  const prompt =
    `def ${inst.fn}(${inst.params}):\n` +
    `    """${inst.doc}\n` +
    `    >>> ${inst.fn}(${ex.args})\n` +
    `    ${ex.expected}\n` +
    `    """\n`;
  const bodies = inst.bodies.map(indent);
  const solutions = [bodies[canonical % bodies.length], ...bodies.filter((_, i) => i !== canonical % bodies.length)];
  const seen = new Set<string>();
  const tests = cases
    .filter((c) => (seen.has(c.args) ? false : (seen.add(c.args), true)))
    .map((c) => ({ ...c, code: `assert ${inst.fn}(${c.args}) == ${c.expected}` }));
  return { prompt, solutions, tests };
}

/** The parameter sets of one family's problems, in order (distinct keys). */
export function familyParams(family: Family, count: number, stream = 'params', exclude?: ReadonlySet<string>, maxTries = 10_000): unknown[] {
  const rng = new SeededRng(deriveSeed(DATASET_SEED, `${stream}:${family.name}`));
  const out: unknown[] = [];
  const seen = new Set<string>(exclude);
  for (let tries = 0; out.length < count && tries < maxTries; tries++) {
    const p = family.sample(rng);
    if (seen.has(paramKey(p))) continue;
    seen.add(paramKey(p));
    out.push(p);
  }
  return out;
}

export function familyCounts(total = TOTAL_PROBLEMS): Map<string, number> {
  const base = Math.floor(total / FAMILIES.length);
  const extra = total - base * FAMILIES.length;
  return new Map(FAMILIES.map((f, i) => [f.name, base + (i < extra ? 1 : 0)]));
}

/** The rendering of problem k of a family: the prompt, every solution style (canonical first) and the tests. */
export function renderBuiltin(family: Family, params: unknown, k: number, stream = 'problem'): Rendered & { fn: string } {
  const rng = new SeededRng(deriveSeed(DATASET_SEED, `${stream}:${family.name}:${k}`));
  const inst = family.build(params, rng);
  return { ...render(inst, rng.int(inst.bodies.length)), fn: inst.fn };
}

/** `set` "fresh" marks the problems drawn beyond the 200 (fresh.ts): other ids, another rendering stream. */
export function makeProblem(family: Family, params: unknown, k: number, set: 'base' | 'fresh' = 'base'): Problem {
  const r = renderBuiltin(family, params, k, set === 'base' ? 'problem' : 'fresh-problem');
  return {
    id: set === 'base' ? `builtin/${family.name}/${k}` : `builtin-fresh/${family.name}/${k}`,
    prompt: r.prompt,
    entryPoint: r.fn,
    tests: r.tests.map((t, i) => ({ id: `t${i}`, code: t.code })),
    canonicalSolution: r.solutions[0],
    language: 'python',
    meta: { family: family.name, params, paramKey: paramKey(params), index: k, ...(set === 'fresh' ? { set } : {}) },
  };
}

/** The whole builtin set, in family order; identical on every call and machine. */
export function builtinProblems(): Problem[] {
  const counts = familyCounts();
  const out: Problem[] = [];
  for (const family of FAMILIES) {
    familyParams(family, counts.get(family.name)!).forEach((params, k) => out.push(makeProblem(family, params, k)));
  }
  return out;
}

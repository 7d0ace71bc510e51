// The `builtin` dataset: the project's own small Python problems, generated deterministically from
// parametric families (see generate.ts). Options only filter; the full set never depends on them.
import { definePlugin } from 'crucible-ml';
import { CrucibleError } from 'crucible-ml';
import type { Problem } from 'crucible-ml';
import { builtinProblems, FAMILIES } from './generate.js';
import { DEFAULT_FRESH, withFreshProblems } from './fresh.js';

/** Round-robin over families (first problem of each family, then the second, ...), so a small `count` still spans the families. */
function interleave(problems: Problem[]): Problem[] {
  const byFamily = new Map<string, Problem[]>();
  for (const p of problems) {
    const fam = String(p.meta.family);
    if (!byFamily.has(fam)) byFamily.set(fam, []);
    byFamily.get(fam)!.push(p);
  }
  const out: Problem[] = [];
  for (let k = 0; out.length < problems.length; k++) for (const list of byFamily.values()) if (k < list.length) out.push(list[k]);
  return out;
}

export default definePlugin({
  kind: 'dataset',
  name: 'builtin',
  version: '1.0.0',
  apiVersion: '^1',
  description:
    'The project\'s own 200 small Python problems from parametric families (arithmetic, comparisons, strings, lists, dicts, ranges), with edge-case traps that crash plausible mistakes; `fresh` adds problems with parameter sets the embedded model never saw.',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      count: { type: 'integer', minimum: 1, description: 'Keep only the first N problems (taken round-robin across families). Default: all.' },
      families: { type: 'array', items: { type: 'string' }, uniqueItems: true, description: 'Keep only these families. Default: all.' },
      fresh: {
        type: 'object',
        additionalProperties: false,
        description:
          'Add problems whose parameter sets the embedded model never trained on (neither the 200 nor its SFT corpus), up to perFamily per family, for a larger test split. Every problem then carries a fixed split (meta.split): the 200 keep the split the SFT corpus was built from, the fresh ones get `split`; the manifest seed no longer moves problems between splits. Default: off.',
        properties: {
          perFamily: { type: 'integer', minimum: 1, default: DEFAULT_FRESH.perFamily },
          split: {
            type: 'object',
            additionalProperties: false,
            properties: {
              train: { type: 'number', minimum: 0, maximum: 1, default: DEFAULT_FRESH.split.train },
              val: { type: 'number', minimum: 0, maximum: 1, default: DEFAULT_FRESH.split.val },
              test: { type: 'number', minimum: 0, maximum: 1, default: DEFAULT_FRESH.split.test },
            },
            default: {},
          },
        },
      },
    },
  } as const,
  create(config) {
    return {
      async load() {
        const fresh = config.fresh;
        let problems = fresh
          ? withFreshProblems({ perFamily: fresh.perFamily ?? DEFAULT_FRESH.perFamily, split: { ...DEFAULT_FRESH.split, ...fresh.split } })
          : builtinProblems();
        if (config.families) {
          const known = new Set(FAMILIES.map((f) => f.name));
          const unknown = config.families.filter((f) => !known.has(f));
          if (unknown.length) {
            throw new CrucibleError('CRUCIBLE_E_DATASET', `builtin: unknown families ${unknown.join(', ')}; known: ${[...known].join(', ')}`);
          }
          const wanted = new Set(config.families);
          problems = problems.filter((p) => wanted.has(String(p.meta.family)));
        }
        problems = interleave(problems);
        return config.count ? problems.slice(0, config.count) : problems;
      },
    };
  },
});

// Writes the SFT corpus of the embedded model (built by plugins/datasets/builtin/sft-corpus.ts).
//   npx tsx models/recipe/corpus.ts [--out models/recipe/out/sft-corpus.jsonl] [--examples 30000] [--seed 42]
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCorpus } from '../../plugins/datasets/builtin/sft-corpus.js';

export { buildCorpus, EOS, PAD, type CorpusRecord, type CorpusStats } from '../../plugins/datasets/builtin/sft-corpus.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = resolve(arg('out', 'models/recipe/out/sft-corpus.jsonl'));
  const { records, stats } = buildCorpus({ examples: Number(arg('examples', '30000')), seed: Number(arg('seed', '42')) });
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  writeFileSync(out.replace(/\.jsonl$/, '.stats.json'), JSON.stringify(stats, null, 2) + '\n');
  console.log(JSON.stringify(stats, null, 2));
}

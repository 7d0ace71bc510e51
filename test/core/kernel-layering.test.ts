// The kernel never imports the pipeline or a host: every relative import of a file in core/kernel/ stays in
// core/kernel/ or reaches the shared helpers of core/util/ (hashing, JSONL, atomic writes, summaries), and those
// helpers import nothing of the hosts either (only the plugin contract, for the records they read). The pipeline
// (core/pipeline/, crucible's experiment) builds on the kernel; the hosts (CLI, server, store, report, policy,
// builtins) depend on both, never the reverse.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const core = resolve(import.meta.dirname, '..', '..', 'core');

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/** Where each relative import of `file` lands, as a path under core/ ("kernel/errors.ts", "cli/main.ts"). */
function relativeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g)) {
    out.push(relative(core, resolve(dirname(file), m[1])).replace(/\.js$/, '.ts'));
  }
  return out;
}

function offending(folder: string, allowed: (target: string) => boolean): string[] {
  return tsFiles(join(core, folder)).flatMap((file) => relativeImports(file).filter((t) => !allowed(t)).map((t) => `${relative(core, file)} -> ${t}`));
}

test('no file in core/kernel/ imports anything outside core/kernel/ and core/util/', () => {
  const found = offending('kernel', (t) => t.startsWith('kernel/') || (t.startsWith('util/') && t !== 'util/index.ts'));
  assert.equal(found, [], `the kernel imports a host: ${found.join(', ')}`);
});

test('the pipeline (core/pipeline/) builds on the kernel and the helpers only, never on a host', () => {
  const found = offending('pipeline', (t) => t.startsWith('pipeline/') || t.startsWith('kernel/') || (t.startsWith('util/') && t !== 'util/index.ts'));
  assert.equal(found, [], `the pipeline imports a host: ${found.join(', ')}`);
});

test('the helpers of core/util/ import only each other, the plugin contract and the coded errors', () => {
  // util/index.ts is the public `crucible-ml/util` entry (it also re-exports the kernel's seeded RNG).
  const allowed = (t: string) => (t.startsWith('util/') && t !== 'util/index.ts') || t.startsWith('kernel/contract/') || t === 'kernel/errors.ts';
  const found = offending('util', allowed).filter((l) => !l.startsWith('util/index.ts'));
  assert.equal(found, [], `a helper imports a host: ${found.join(', ')}`);
});

test('the check sees imports that leave the kernel (it would fail on a host import)', () => {
  const hosts = tsFiles(join(core, 'cli')).flatMap(relativeImports);
  assert.ok(hosts.some((t) => t.startsWith('kernel/')), 'the CLI imports the kernel');
  assert.ok(hosts.some((t) => !t.startsWith('kernel/') && !t.startsWith('util/')), 'the CLI imports other hosts');
});

test.run();

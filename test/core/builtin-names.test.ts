// Only core/builtins.ts names a built-in plugin. No other file in core/ (the kernel, the hosts: CLI, servers,
// store, report, ...) writes a built-in's name as a string, names one as a plugin reference, or reaches into
// plugins/ by path: a host that needs a default plugin or a plugin module takes it from HOST_DEFAULTS or
// HOST_MODULES beside the table.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { BUILTIN_PLUGINS } from '../../core/builtins.js';

const root = join(import.meta.dirname, '..', '..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.(ts|js|html)$/.test(path) ? [path] : [];
  });
}

// Names that are also ordinary words of the core, and where: there only plugin references are checked.
const ALSO_A_WORD: Record<string, { where: RegExp; meaning: string }> = {
  python: { where: /^core\//, meaning: 'a problem language' },
  javascript: { where: /^core\//, meaning: 'a problem language' },
  builtin: { where: /^core\//, meaning: "a plugin's source (builtin | path | package)" },
  queue: { where: /^core\/store\//, meaning: "a run owner's role" },
  humaneval: { where: /^core\/cli\/commands\/exec\.ts$/, meaning: 'a --format value (a problems file format)' },
  mbpp: { where: /^core\/cli\/commands\/exec\.ts$/, meaning: 'a --format value (a problems file format)' },
};

const escape = (name: string) => name.replace(/[-]/g, '\\-');

/** Every way `file` names a built-in plugin: a quoted name, `name@version`, a plugin reference, a path into plugins/. */
function builtinNamesIn(file: string, text: string, names: readonly string[]): string[] {
  const found: string[] = [];
  for (const name of names) {
    const n = escape(name);
    const word = ALSO_A_WORD[name]?.where.test(file) === true;
    const quoted = new RegExp(`['"\`]${n}['"\`]|\\b${n}@\\d|use ${n}\\b|such as ${n}\\b|e\\.g\\. ${n}\\b`);
    // `plugin: 'python'`, `plugin: cond ? 'mbpp' : 'humaneval'`, `findBuiltin('executor', 'python')`.
    const reference = new RegExp(`\\bplugin['"]?\\s*:[^,;}\\n]*['"\`]${n}['"\`]|findBuiltin\\([^)]*['"\`]${n}['"\`]`);
    if ((!word && quoted.test(text)) || reference.test(text)) found.push(`${file}: ${name}`);
  }
  if (/['"`](\.\.?\/)+(\.\.\/)*plugins\//.test(text)) found.push(`${file}: a path into plugins/`);
  return found;
}

test('no file in core/ but core/builtins.ts names a built-in plugin', () => {
  const names = BUILTIN_PLUGINS.map((b) => b.name);
  assert.ok(names.length >= 20, `the names come from the table (${names.length})`);
  const offenders = sources(join(root, 'core'))
    .map((path) => relative(root, path))
    .filter((file) => file !== 'core/builtins.ts')
    .flatMap((file) => builtinNamesIn(file, readFileSync(join(root, file), 'utf8'), names));
  assert.equal(offenders, []);
});

test('the check catches what hosts used to write', () => {
  const names = BUILTIN_PLUGINS.map((b) => b.name);
  const cases: Array<[string, string]> = [
    ['core/cli/commands/exec.ts', "return { plugin: mbpp ? 'mbpp' : 'humaneval', config: {} };"],
    ['core/sandbox-server/app.ts', "await checkExecutorSpec({ plugin: 'python', config: options.pythonConfig });"],
    ['core/sandbox-server/policy.ts', "resolveManifestObject({ name: 'x', dataset: { plugin: 'builtin' } });"],
    ['core/cli/commands/worker.ts', "const workerModule = new URL('../../../plugins/executors/queue/worker.js', import.meta.url).href;"],
    ['core/store/x.ts', "const reference = 'all-pairs';"],
    ['core/report/x.ts', '// written by pass-at-k@1.0.0'],
  ];
  for (const [file, line] of cases) assert.ok(builtinNamesIn(file, line, names).length > 0, `${file}: ${line}`);
  assert.equal(builtinNamesIn('core/store/x.ts', "role === 'queue'", names), [], 'an ordinary word where it is one');
  assert.equal(builtinNamesIn('core/cli/commands/exec.ts', "format === 'mbpp'", names), []);
  assert.ok(builtinNamesIn('core/server/x.ts', "format === 'mbpp'", names).length > 0, 'the same word elsewhere is a name');
});

test.run();

// The lint rule that keeps plugins on crucible's public API: it must reject any path into core/ and any
// unexported subpath (static or dynamic) and accept the package's own names, exactly as CI runs it (`npm run lint`).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { ESLint } from 'eslint';

const root = join(import.meta.dirname, '..', '..');
const eslint = new ESLint({ cwd: root });

async function problems(code: string, file = 'plugins/pairing/probe.ts'): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, file) });
  return result.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

test('a plugin importing a kernel file fails the lint, naming the public entry points', async () => {
  const found = await problems("import { CrucibleError } from '../../core/kernel/errors.js';\nexport { CrucibleError };\n");
  assert.is(found.length, 1);
  assert.match(found[0], 'no-restricted-imports');
  assert.match(found[0], 'crucible-ml, crucible-ml/util, crucible-ml/testing');
});

test('a dynamic import of a non-public path and tsyringe fail too', async () => {
  const found = await problems("import { container } from 'tsyringe';\nexport const f = () => import('../../core/kernel/registry/index.js');\nexport { container };\n");
  assert.is(found.length, 2, found.join('\n'));
  assert.ok(found.some((m) => m.startsWith('no-restricted-syntax')));
  assert.ok(found.some((m) => m.includes('tsyringe')));
});

test('a relative path to a public entry file fails too: plugins use the package names', async () => {
  const found = await problems("import { definePlugin } from '../../core/index.js';\nimport { sha256 } from '../../core/util/index.js';\nexport { definePlugin, sha256 };\n");
  assert.is(found.length, 2, found.join('\n'));
  assert.ok((await problems("export const f = () => import('../../../core/testing/index.js');\n", 'plugins/executors/queue/probe.ts')).length === 1);
  assert.ok((await problems("export const f = () => import('crucible-ml/dist/core/index.js');\n", 'plugins/executors/queue/probe.ts')).length === 1);
});

test('the package names pass, from plugins and from the example package; deep subpaths do not', async () => {
  const code = "import { definePlugin } from 'crucible-ml';\nimport { sha256 } from 'crucible-ml/util';\nimport { createTestContext } from 'crucible-ml/testing';\nexport const f = () => import('crucible-ml');\nexport { definePlugin, sha256, createTestContext };\n";
  assert.equal(await problems(code), []);
  assert.equal(await problems(code, 'examples/third-party-plugin/probe.ts'), []);
  assert.ok((await problems("import { x } from 'crucible-ml/dist/core/kernel/errors.js';\nexport { x };\n", 'examples/third-party-plugin/probe.ts')).length >= 1, 'a deep path into the package is not public');
});

test.run();

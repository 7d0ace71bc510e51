// The lint rule that keeps plugins on crucible's public API: it must reject a non-public import (static or
// dynamic) and accept the public entry points, exactly as CI runs it (`npm run lint`).
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
  assert.match(found[0], 'core/index.js (crucible-ml)');
});

test('a dynamic import of a non-public path and tsyringe fail too', async () => {
  const found = await problems("import { container } from 'tsyringe';\nexport const f = () => import('../../core/kernel/registry/index.js');\nexport { container };\n");
  assert.is(found.length, 2, found.join('\n'));
  assert.ok(found.some((m) => m.startsWith('no-restricted-syntax')));
  assert.ok(found.some((m) => m.includes('tsyringe')));
});

test('the public entry points pass, from plugins and from the example package', async () => {
  const code = "import { definePlugin } from '../../core/index.js';\nimport { sha256 } from '../../core/util/index.js';\nimport { createTestContext } from '../../core/testing/index.js';\nexport { definePlugin, sha256, createTestContext };\n";
  assert.equal(await problems(code), []);
  assert.equal(await problems("import { definePlugin } from 'crucible-ml';\nimport { sha256 } from 'crucible-ml/util';\nexport { definePlugin, sha256 };\n", 'examples/third-party-plugin/probe.ts'), []);
  assert.ok((await problems("import { x } from 'crucible-ml/dist/core/kernel/errors.js';\nexport { x };\n", 'examples/third-party-plugin/probe.ts')).length >= 1, 'a deep path into the package is not public');
});

test.run();

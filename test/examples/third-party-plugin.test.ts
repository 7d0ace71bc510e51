// The example plugin package inside crucible's suite: its own tests (declared with PluginTester) run here too,
// and the registry loads its source by path like a built-in. Packing and installing it: integration/plugin-package.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import '../../examples/third-party-plugin/test/shortest-passing.test.js';
import '../../core/builtins.js';
import { loadPlugin } from '../../core/kernel/registry/load.js';

test('the example plugin loads by path through the registry like a built-in', async () => {
  const { plugin, resolved } = await loadPlugin('pairing', './examples/third-party-plugin/src/index.ts', { baseDir: join(import.meta.dirname, '..', '..') });
  assert.is(plugin.name, 'shortest-passing');
  assert.is(resolved.source, 'path');
});

test.run();

// Post-processing through the generator: what the executor gets (code), what DPO gets (completion), and the
// model's own text kept beside them (raw).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createTestContext, instantiate } from '../../../core/testing/index.js';
import type { Problem } from '../../../core/kernel/contract/data.js';
import type { Candidate, Generator } from '../../../core/kernel/contract/index.js';
import plugin from '../../../plugins/generators/openai-compatible/index.js';
import { startFaultServer, type Reply } from './openai-fault-server.js';

const problem: Problem = { id: 'p', prompt: 'import math\n\n\ndef area(r):\n    """Circle area."""\n', entryPoint: 'area', tests: [], language: 'python', meta: {} };

async function one(reply: Reply, config: Record<string, unknown>): Promise<{ c: Candidate; body: Record<string, unknown> }> {
  const server = await startFaultServer(['ok'], reply);
  try {
    const gen = await instantiate<Generator>(plugin as never, { baseURL: server.url, model: 'm', ...config }, createTestContext());
    for await (const s of gen.generate([problem], { n: 1 })) return { c: s.candidates[0], body: server.bodies[0] };
    throw new Error('no samples');
  } finally {
    await server.close();
  }
}

const CHAT_REPLY = 'Sure! Here it is:\n```python\nimport math\n\ndef area(r):\n    return math.pi * r * r\n\nprint(area(2))\n```\nThis uses the formula.';

test('completions, none: the prompt plus the continuation, untouched', async () => {
  const { c, body } = await one(() => '    return math.pi * r * r\n', {});
  assert.is(c.code, problem.prompt + '    return math.pi * r * r\n');
  assert.is(c.completion, '    return math.pi * r * r\n');
  assert.is(c.raw, undefined);
  assert.equal(body.stop, ['\nclass', '\ndef', '\n#', '\nif', '\nprint']);
  assert.is(body.prompt, problem.prompt);
  assert.is(c.promptFormat, 'completion:raw');
});

test('chat, extract-code (the chat default): the code block, the reply kept as raw', async () => {
  const { c, body } = await one(() => CHAT_REPLY, { endpoint: 'chat' });
  assert.is(c.promptFormat, 'chat:default');
  assert.match(c.code, /def area\(r\):\n {4}return math\.pi \* r \* r/);
  assert.not.match(c.code, /Sure!|formula/);
  assert.is(c.raw, CHAT_REPLY);
  assert.is(body.stop, undefined, 'no HumanEval stops on chat');
  const messages = body.messages as Array<{ role: string; content: string }>;
  assert.is(messages.length, 1);
  assert.ok(messages[0].content.includes(problem.prompt));
});

test('chat, sanitize: extracted, then only what the entry point needs (no print)', async () => {
  const { c } = await one(() => CHAT_REPLY, { endpoint: 'chat', postprocess: 'sanitize' });
  assert.match(c.code, /import math/);
  assert.match(c.code, /def area\(r\):/);
  assert.not.match(c.code, /print\(/);
  assert.is(c.raw, CHAT_REPLY);
  assert.is(c.meta?.postprocessWarning, undefined);
});

test('completions, sanitize: prompt + continuation with the trailing test code dropped', async () => {
  const { c } = await one(() => '    return math.pi * r * r\n\n\nassert area(1) > 3\nprint(area(2))\n', { postprocess: 'sanitize', stop: ['\nif __name__'] });
  assert.match(c.code, /^import math/);
  assert.match(c.code, /return math\.pi \* r \* r/);
  assert.not.match(c.code, /print\(|assert area/);
  assert.ok(c.raw !== undefined);
});

test.run();

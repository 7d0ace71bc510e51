// `crucible serve-model` as the command line runs it: starts on a folder, answers the official client, and
// stops on SIGINT (emitted in-process here, so the test needs no child process).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Command } from 'commander';
import OpenAI from 'openai';
import { register } from '../../../core/cli/commands/serve-model.js';
import { testFolder } from './server-model.js';

test('serve-model <dir> --port 0 serves the folder until SIGINT', async () => {
  const folder = await testFolder();
  assert.ok(folder, 'plugins/lm builds a model folder');
  const program = new Command('crucible').exitOverride();
  register(program);
  const lines: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string) => (lines.push(String(chunk)), true)) as typeof process.stderr.write;
  let done: Promise<unknown>;
  try {
    done = program.parseAsync(['node', 'crucible', 'serve-model', folder, '--port', '0', '--served-model-name', 'tiny']);
    for (let i = 0; i < 200 && !lines.some((l) => l.includes('serving')); i++) await new Promise((r) => setTimeout(r, 25));
  } finally {
    process.stderr.write = write;
  }
  const url = /at (http:\S+)/.exec(lines.join(''))?.[1];
  assert.ok(url, lines.join(''));
  const client = new OpenAI({ baseURL: url, apiKey: 'x', maxRetries: 0 });
  assert.is((await client.models.list()).data[0].id, 'tiny');
  const r = await client.completions.create({ model: 'tiny', prompt: 'def f(x):\n', max_tokens: 4, seed: 1, logprobs: 1 });
  assert.is(r.choices[0].logprobs!.tokens!.length, r.usage!.completion_tokens);
  process.emit('SIGINT');
  await done;
  const closed = await client.models.list().then(() => false, () => true);
  assert.ok(closed, 'the server stopped on SIGINT');
});

test('bad --port is an input error', async () => {
  const program = new Command('crucible').exitOverride();
  register(program);
  try {
    await program.parseAsync(['node', 'crucible', 'serve-model', '/nonexistent', '--port', 'http']);
    assert.unreachable();
  } catch (e) {
    assert.is((e as { code?: string }).code, 'CRUCIBLE_E_INPUT');
  }
});

test.run();

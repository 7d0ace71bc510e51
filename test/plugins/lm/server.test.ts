import { test } from 'uvu';
import * as assert from 'uvu/assert';
import OpenAI from 'openai';
import { startModelServer, plainChatTemplate, type ServerStats } from '../../../plugins/lm/server/index.js';
import type { TextModel } from '../../../plugins/lm/types.js';
import { testModel, withChatTemplate } from './server-model.js';

let model: TextModel;
let server: Awaited<ReturnType<typeof startModelServer>>;
let client: OpenAI;
const PROMPT = 'def add(a, b):\n    return';

test.before(async () => {
  ({ model } = await testModel());
  // Without a chat template whatever the folder has, so the plain template is what chat requests get.
  server = await startModelServer({ model: withChatTemplate(model, undefined), port: 0 });
  client = new OpenAI({ baseURL: server.url, apiKey: 'unused', maxRetries: 0 });
});
test.after(async () => {
  await server.close();
});

test('the official client lists the model', async () => {
  const list = await client.models.list();
  assert.is(list.data.length, 1);
  assert.is(list.data[0].id, model.id);
});

test('completions: the same seed gives the same text; logprobs in the OpenAI shape', async () => {
  const ask = (seed: number) => client.completions.create({ model: model.id, prompt: PROMPT, max_tokens: 12, temperature: 0.9, seed, logprobs: 1 });
  const [a, b, c] = [await ask(7), await ask(7), await ask(8)];
  assert.is(a.choices[0].text, b.choices[0].text);
  assert.ok(a.choices[0].text.length > 0);
  const lp = a.choices[0].logprobs!;
  const n = lp.tokens!.length;
  assert.ok(n > 0);
  assert.is(lp.token_logprobs!.length, n);
  assert.is(lp.top_logprobs!.length, n);
  assert.is(lp.text_offset!.length, n);
  assert.is(lp.tokens!.join(''), a.choices[0].text);
  assert.ok(lp.token_logprobs!.every((v) => typeof v === 'number' && v <= 0));
  assert.equal(lp.text_offset![0], 0);
  assert.is(a.usage!.completion_tokens, n);
  assert.is(a.usage!.prompt_tokens, model.countTokens(PROMPT));
  assert.ok(c.choices[0].text !== a.choices[0].text || c.choices[0].logprobs!.token_logprobs!.join() !== lp.token_logprobs!.join(), 'another seed, another sample');
});

test('completions: a list of prompts with n samples each, indexed prompt-major', async () => {
  const r = await client.completions.create({ model: model.id, prompt: ['x = ', 'def f():\n'], n: 3, max_tokens: 4, seed: 1 });
  assert.is(r.choices.length, 6);
  assert.equal(r.choices.map((c) => c.index), [0, 1, 2, 3, 4, 5]);
});

test('echo with max_tokens 0 gives the prompt\'s log-probs (first token null), matching the model', async () => {
  const r = await client.completions.create({ model: model.id, prompt: PROMPT, echo: true, max_tokens: 0, logprobs: 0 });
  const choice = r.choices[0];
  assert.is(choice.text, PROMPT);
  const lp = choice.logprobs!;
  assert.is(lp.token_logprobs![0], null);
  assert.is(lp.tokens!.join(''), PROMPT);
  // Every token after the first is scored given the prompt tokens before it.
  const first = lp.tokens![0];
  const direct = await model.logprobs(first, PROMPT.slice(first.length));
  const echoed = (lp.token_logprobs!.slice(1) as number[]).reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(echoed - direct.sum) < 1e-3, `${echoed} vs ${direct.sum}`);
  assert.is(r.usage!.completion_tokens, 0);
});

test('chat: the plain template when the folder has none, with its stop strings', async () => {
  const messages = [{ role: 'system' as const, content: 'You write Python.' }, { role: 'user' as const, content: 'add two numbers' }];
  const r = await client.chat.completions.create({ model: model.id, messages, max_tokens: 10, seed: 3, n: 2 });
  assert.is(r.choices.length, 2);
  assert.is(r.choices[0].message.role, 'assistant');
  assert.type(r.choices[0].message.content, 'string');
  assert.is(r.usage!.prompt_tokens, model.countTokens('<|system|>\nYou write Python.\n<|user|>\nadd two numbers\n<|assistant|>\n'));
  assert.is(plainChatTemplate(messages), '<|system|>\nYou write Python.\n<|user|>\nadd two numbers\n<|assistant|>\n');
  const again = await client.chat.completions.create({ model: model.id, messages, max_tokens: 10, seed: 3, n: 2 });
  assert.is(again.choices[1].message.content, r.choices[1].message.content);
  const withLp = await client.chat.completions.create({ model: model.id, messages, max_tokens: 5, seed: 3, logprobs: true });
  assert.ok((withLp.choices[0].logprobs?.content?.length ?? 0) > 0);
});

test('chat: the folder\'s jinja chat template when it has one', async () => {
  const tpl = '{% for m in messages %}[{{ m.role }}] {{ m.content }}\n{% endfor %}{% if add_generation_prompt %}[assistant] {% endif %}';
  const s = await startModelServer({ model: withChatTemplate(model, tpl), port: 0 });
  try {
    const c = new OpenAI({ baseURL: s.url, apiKey: 'x', maxRetries: 0 });
    const r = await c.chat.completions.create({ model: model.id, messages: [{ role: 'user', content: 'hi' }], max_tokens: 3, seed: 1 });
    assert.is(r.usage!.prompt_tokens, model.countTokens('[user] hi\n[assistant] '));
    const stats = (await (await fetch(`${s.url}/stats`)).json()) as { chatTemplate: string };
    assert.is(stats.chatTemplate, 'jinja:tokenizer_config');
  } finally {
    await s.close();
  }
});

test('requests reach the model one at a time, and are counted', async () => {
  let active = 0;
  let peak = 0;
  const counted: TextModel = {
    ...withChatTemplate(model, undefined),
    generate: async (p, params, o) => {
      active++;
      peak = Math.max(peak, active);
      try {
        return await model.generate(p, params, o);
      } finally {
        active--;
      }
    },
  };
  const s = await startModelServer({ model: counted, port: 0 });
  try {
    const c = new OpenAI({ baseURL: s.url, apiKey: 'x', maxRetries: 0 });
    await Promise.all([1, 2, 3, 4].map((seed) => c.completions.create({ model: model.id, prompt: 'x', max_tokens: 8, seed })));
    assert.is(peak, 1);
    const stats = (await (await fetch(`${s.url}/stats`)).json()) as ServerStats;
    assert.is(stats.requests, 4);
    assert.is(stats.byRoute.completions, 4);
    assert.is(stats.queued, 0);
  } finally {
    await s.close();
  }
});

test('errors come back in the OpenAI shape: unknown model 404, stream 400, bad n 400', async () => {
  const expectStatus = async (p: Promise<unknown>, status: number, pattern: RegExp) => {
    try {
      await p;
      assert.unreachable();
    } catch (e) {
      assert.is((e as { status?: number }).status, status);
      assert.match((e as Error).message, pattern);
    }
  };
  await expectStatus(client.completions.create({ model: 'gpt-4', prompt: 'x' }), 404, /does not exist/);
  await expectStatus(client.completions.create({ model: model.id, prompt: 'x', n: 0 }), 400, /n must be >= 1/);
  const raw = await fetch(`${server.url}/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: model.id, prompt: 'x', stream: true }) });
  assert.is(raw.status, 400);
  assert.match(JSON.stringify(await raw.json()), /"error":\{"message":"stream: true is not supported/);
});

test.run();

// Several generation endpoints, with two real `crucible serve-model` processes serving the embedded model:
// requests are spread by outstanding requests, one server SIGKILLed mid-generation is failed over without
// waiting, and the samples are the same as with one server (a sample's seed decides it, not its endpoint).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Problem } from '../../../core/kernel/contract/data.js';
import type { Generator } from '../../../core/kernel/contract/kinds.js';
import { createTestContext, instantiate } from '../../../core/testing/index.js';
import { packageRoot } from '../../../core/util/package-root.js';
import plugin from '../../../plugins/generators/openai-compatible/index.js';

const ROOT = packageRoot();
const MODEL = join(ROOT, 'models', 'crucible-tiny-coder');

interface Served { child: ChildProcess; url: string; stop(): Promise<void> }

async function serveModel(): Promise<Served> {
  const child = spawn(process.execPath, [...process.execArgv, join(ROOT, 'core', 'cli', 'main.ts'), 'serve-model', MODEL, '--port', '0', '--served-model-name', 'tiny', '--backend', 'wasm'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const m = /at (http:\S+)/.exec(err);
      if (m) {
        clearInterval(timer);
        resolve(m[1]);
      }
    }, 25);
    child.once('exit', (code) => {
      clearInterval(timer);
      reject(new Error(`serve-model exited (${code}): ${err}`));
    });
  });
  child.removeAllListeners('exit');
  return {
    child,
    url,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
    },
  };
}

const requestsServed = async (s: Served): Promise<number> => ((await (await fetch(`${s.url}/stats`)).json()) as { requests: number }).requests;

const problems: Problem[] = Array.from({ length: 6 }, (_, i) => ({
  id: `p/${i}`,
  prompt: `def add_${i}(x):\n    """Return x + ${i}."""\n`,
  entryPoint: `add_${i}`,
  tests: [],
  language: 'python' as const,
  meta: {},
}));

async function sample(baseURL: string | string[], onProgress?: (done: number) => void, warnings: string[] = []): Promise<string[]> {
  const ctx = createTestContext();
  const logger = { ...ctx.logger, warn: (_o: object | string, msg?: string) => void warnings.push(msg ?? '') };
  const gen = await instantiate<Generator>(plugin as never, { baseURL, model: 'tiny', maxTokens: 24, n: 3, concurrency: 4, cache: false, retryBaseMs: 2000 }, { ...ctx, logger });
  const out = new Map<string, string[]>();
  for await (const s of gen.generate(problems, { seed: 7 })) {
    out.set(s.problem.id, s.candidates.map((c) => c.completion));
    onProgress?.(out.size);
  }
  return problems.flatMap((p) => out.get(p.id)!);
}

let a: Served;
let b: Served;
test.before(async () => {
  [a, b] = await Promise.all([serveModel(), serveModel()]);
});
test.after(async () => {
  await Promise.all([a.stop(), b.stop()]);
});

test('two endpoints share the requests and give the same samples as one', async () => {
  const one = await sample(a.url);
  const [a0, b0] = [await requestsServed(a), await requestsServed(b)];
  const two = await sample([a.url, b.url]);
  const [da, db] = [(await requestsServed(a)) - a0, (await requestsServed(b)) - b0];
  assert.is(da + db, problems.length * 3);
  // Balancing by outstanding requests: both endpoints take work (the exact split follows their speed).
  assert.ok(da >= 1 && db >= 1, `spread by outstanding requests: ${da}/${db}`);
  assert.equal(two, one);
});

test('one endpoint SIGKILLed mid-generation: the other takes over at once and the samples do not change', async () => {
  const reference = await sample(b.url);
  let killed = false;
  const warnings: string[] = [];
  const got = await sample([a.url, b.url], (done) => {
    if (!killed && done >= 2) {
      killed = true;
      a.child.kill('SIGKILL');
    }
  }, warnings);
  assert.ok(killed);
  assert.equal(got, reference);
  // The dead endpoint was set aside, and no request waited out a backoff (retryBaseMs 2000 would have logged it).
  assert.ok(warnings.some((w) => w.startsWith(`endpoint ${a.url} set aside`)), warnings.join('\n'));
  assert.not.ok(warnings.some((w) => w.startsWith('retrying')), warnings.join('\n'));
});

test.run();

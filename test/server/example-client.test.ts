// The example HTTP client (examples/http-client) against a live server: submit, follow events across a
// deliberately dropped connection, download the report.
import 'reflect-metadata';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { tempDir } from '../helpers/kernel.js';
import { ROOT, serve, TOKEN } from './helpers.js';

test('examples/http-client/main.ts submits, follows (resuming after a drop) and downloads the report', async () => {
  const server = await serve();
  try {
    const dir = tempDir('crucible-client-');
    const manifest = join(dir, 'manifest.json');
    writeFileSync(manifest, JSON.stringify({ extends: 'toy.json', name: 'from-client', stages: { generator: { config: { delayMs: 40 } } } }));
    const out = join(dir, 'downloads');
    const child = spawn(process.execPath, [...process.execArgv, join(ROOT, 'examples', 'http-client', 'main.ts'), manifest, out], {
      env: { ...process.env, CRUCIBLE_URL: server.url, CRUCIBLE_TOKEN: TOKEN, CRUCIBLE_EXAMPLE_DROP_AFTER: '4' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise((r) => child.on('exit', r));
    assert.is(code, 0, stderr);
    assert.match(stdout, /submitted \S+/);
    // Events already buffered when the connection was cut are still delivered, so it resumes at >= 4.
    const resumedAt = /reconnected after seq (\d+)/.exec(stdout);
    assert.ok(resumedAt && Number(resumedAt[1]) >= 4, stdout);
    assert.match(stdout, /final SUCCEEDED/);
    const seqs = [...stdout.matchAll(/^#(\d+) /gm)].map((m) => Number(m[1]));
    assert.equal(seqs, seqs.map((_, i) => i + 1), 'every event once, in order, across the drop');
    const report = join(out, 'results.json');
    assert.ok(existsSync(report));
    assert.is(JSON.parse(readFileSync(report, 'utf8')).run.name, 'from-client');
  } finally {
    await server.close();
  }
});

test.run();

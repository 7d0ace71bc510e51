// A run's files: the list, and each file streamed. Every path is checked (lexically and after symlinks)
// to stay inside the run folder; anything else is a plain 404, indistinguishable from a missing file.
import { createReadStream, realpathSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { extname, join, relative, resolve, sep } from 'node:path';
import { isInside } from '../../kernel/manifest/compose.js';
import type { App, ServerContext } from '../context.js';
import { HttpError } from '../http-errors.js';
import { errorResponses, runIdParams } from '../schemas.js';
import { assertRun } from './runs.js';
import { tarGz } from '../tar.js';

const TYPES: Record<string, string> = {
  '.json': 'application/json',
  '.jsonl': 'application/x-ndjson',
  '.html': 'text/html; charset=utf-8',
  '.log': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.safetensors': 'application/octet-stream',
};

const MAX_LISTED = 5000;

async function walk(root: string, dir: string, out: Array<{ path: string; size: number; modifiedAt: string }>): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (out.length >= MAX_LISTED) return;
    const abs = join(dir, entry.name);
    if (entry.isDirectory()) await walk(root, abs, out);
    else if (entry.isFile()) {
      const s = await stat(abs);
      out.push({ path: relative(root, abs).split(sep).join('/'), size: s.size, modifiedAt: s.mtime.toISOString() });
    }
  }
}

const notFound = (what: string) => new HttpError(404, 'CRUCIBLE_E_NOT_FOUND', `no artifact "${what}" in this run`);

export function artifactRoutes(app: App, ctx: ServerContext): void {
  app.get('/v1/runs/:id/artifacts', {
    schema: {
      tags: ['artifacts'],
      summary: 'every file of the run folder (manifest, events, stage outputs, results, report)',
      params: runIdParams,
      response: {
        200: {
          type: 'object',
          required: ['files'],
          properties: {
            files: { type: 'array', items: { type: 'object', required: ['path', 'size'], properties: { path: { type: 'string' }, size: { type: 'integer' }, modifiedAt: { type: 'string' } } } },
            truncated: { type: 'boolean' },
          },
        },
        ...errorResponses,
      },
    },
  }, async (request) => {
    const row = assertRun(ctx, request.params.id);
    const files: Array<{ path: string; size: number; modifiedAt: string }> = [];
    await walk(ctx.store.runDir(row.id), ctx.store.runDir(row.id), files);
    files.sort((a, b) => a.path.localeCompare(b.path));
    return { files, truncated: files.length >= MAX_LISTED };
  });

  app.get('/v1/runs/:id/archive', {
    schema: {
      operationId: 'downloadRunArchive', tags: ['artifacts'],
      summary: 'the whole run folder as one .tar.gz (manifest, events, stage outputs, results, report, trained model)',
      params: runIdParams,
      response: { 200: { description: 'a gzipped tar archive', content: { 'application/gzip': { schema: { type: 'string', format: 'binary' } } } }, ...errorResponses },
    },
  }, async (request, reply) => {
    const row = assertRun(ctx, request.params.id);
    const root = ctx.store.runDir(row.id);
    const files: Array<{ path: string; size: number; modifiedAt: string }> = [];
    await walk(root, root, files);
    files.sort((a, b) => a.path.localeCompare(b.path));
    return reply
      .header('content-type', 'application/gzip')
      .header('content-disposition', `attachment; filename="${row.id.replace(/[^A-Za-z0-9._-]/g, '_')}.tar.gz"`)
      .send(tarGz(root, files.map((f) => f.path), row.id) as never);
  });

  app.get('/v1/runs/:id/artifacts/*', {
    schema: {
      tags: ['artifacts'],
      summary: 'download one file of the run folder (streamed)',
      params: { type: 'object', required: ['id', '*'], properties: { id: runIdParams.properties.id, '*': { type: 'string' } } },
      response: { 200: { description: 'the file', content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } }, ...errorResponses },
    },
  }, async (request, reply) => {
    const row = assertRun(ctx, request.params.id);
    const wanted = request.params['*'];
    const root = ctx.store.runDir(row.id);
    if (!wanted || wanted.includes('\0') || wanted.includes('\\')) throw notFound(wanted ?? '');
    const abs = resolve(root, wanted);
    if (!isInside(root, abs)) throw notFound(wanted);
    let real: string;
    try {
      real = realpathSync(abs);
    } catch {
      throw notFound(wanted);
    }
    if (!isInside(realpathSync(root), real)) throw notFound(wanted);
    const s = await stat(real).catch(() => undefined);
    if (!s?.isFile()) throw notFound(wanted);
    reply
      .header('content-type', TYPES[extname(real).toLowerCase()] ?? 'application/octet-stream')
      .header('content-length', s.size)
      .header('x-content-type-options', 'nosniff')
      // Reports and outputs hold model-generated text: never let a browser run it with the API's origin.
      .header('content-security-policy', "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:")
      .header('content-disposition', `inline; filename="${wanted.split('/').pop()!.replace(/[^A-Za-z0-9._-]/g, '_')}"`);
    return reply.send(createReadStream(real) as never);
  });
}

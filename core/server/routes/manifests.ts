// POST /v1/manifests/validate: the CLI's validation (schema, plugins, configs, policy), errors as JSON with paths.
import type { App, ServerContext } from '../context.js';
import { resolvePosted } from '../manifest-input.js';
import { errorResponses, freeObject, manifestBodySchema } from '../schemas.js';
import { policyOf } from './runs.js';

export function manifestRoutes(app: App, ctx: ServerContext): void {
  app.post('/v1/manifests/validate', {
    schema: {
      tags: ['manifests'],
      summary: 'validate a manifest without running it; 400 lists every error with its JSON path',
      body: manifestBodySchema,
      response: { 200: { type: 'object', required: ['valid', 'manifest'], properties: { valid: { type: 'boolean' }, manifest: freeObject } }, ...errorResponses },
    },
  }, async (request) => {
    const resolved = await resolvePosted(request.body, { manifestsDir: ctx.options.manifestsDir, policy: policyOf(ctx) });
    return { valid: true, manifest: resolved.manifest as unknown as Record<string, unknown> };
  });
}

// Health (the one route without auth), version, and the plugin catalogue.
import { listPlugins } from '../../catalog/list.js';
import type { App, ServerContext } from '../context.js';
import { errorResponses } from '../schemas.js';
import { PLUGIN_API_VERSION } from '../../kernel/contract/define-plugin.js';

export function metaRoutes(app: App, ctx: ServerContext): void {
  app.get('/v1/health', {
    schema: { tags: ['meta'], summary: 'liveness (no auth)', security: [], response: { 200: { type: 'object', required: ['ok'], properties: { ok: { type: 'boolean' } } } } },
  }, async () => ({ ok: true }));

  app.get('/v1/version', {
    schema: {
      tags: ['meta'],
      summary: 'server and plugin API versions',
      response: {
        200: { type: 'object', required: ['version', 'pluginApiVersion', 'node'], properties: { version: { type: 'string' }, pluginApiVersion: { type: 'string' }, node: { type: 'string' } } },
        ...errorResponses,
      },
    },
  }, async () => ({ version: ctx.version, pluginApiVersion: PLUGIN_API_VERSION, node: process.version }));

  app.get('/v1/plugins', {
    schema: {
      tags: ['meta'],
      summary: 'the plugin catalogue of `crucible plugins`: built-ins and the plugin packages installed for the manifests folder, with config schemas; what this server allows besides',
      description: 'Packages come from the node_modules that the manifests folder resolves against (keyword "crucible-plugin"); only allowed packages are loaded to describe them, the others are listed by name and version with allowed: false. No host path is disclosed.',
      response: {
        200: {
          type: 'object',
          required: ['plugins', 'allowedPackages'],
          properties: {
            plugins: {
              type: 'array',
              items: {
                type: 'object',
                additionalProperties: false,
                required: ['kind', 'name', 'version'],
                properties: {
                  kind: { type: 'string' },
                  name: { type: 'string' },
                  version: { type: 'string' },
                  apiVersion: { type: 'string' },
                  description: { type: 'string' },
                  configSchema: {},
                  source: { type: 'string', enum: ['builtin', 'package'] },
                  package: { type: 'string', description: 'the package name a manifest uses as the plugin reference' },
                  allowed: { type: 'boolean', description: 'for a package: whether a submitted manifest may name it (--allow-package)' },
                  error: { type: 'string' },
                },
              },
            },
            allowedPackages: { type: 'array', items: { type: 'string' } },
            localPluginFolders: { type: 'integer', description: 'how many local plugin folders are allowed (their paths are not disclosed)' },
          },
        },
        ...errorResponses,
      },
    },
  }, async () => {
    // The folder is the operator's (never a request's), as is the allowlist that decides what gets imported.
    const plugins = await listPlugins({ projectDir: ctx.options.manifestsDir, allowedPackages: ctx.options.allowPackages });
    // A plugin that failed to load is listed with a short reason, not the loader's internal text.
    const safe = plugins.map((p) => (p.error ? { ...p, error: 'failed to load (see the server log)' } : p));
    for (const p of plugins) if (p.error) app.log.warn({ plugin: p.name, error: p.error }, 'plugin failed to load');
    return { plugins: safe, allowedPackages: ctx.options.allowPackages, localPluginFolders: ctx.options.allowPluginDirs.length };
  });
}

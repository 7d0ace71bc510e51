// The OpenAPI document's polish, in one place: a named operation for every route (generated clients get
// `submitRun`, not `postV1Runs`), shared components (the error envelope, the manifest), servers, and the
// artifact wildcard as a named path parameter. Route files stay as they are; this post-processes.
import type { RouteOptions } from 'fastify';
import { manifestSchema } from '../kernel/manifest/schema.js';
import { errorSchema } from './schemas.js';

/** "METHOD /path" -> operationId, for routes that do not name their own. */
const OPERATION_IDS: Record<string, string> = {
  'GET /v1/health': 'getHealth',
  'GET /v1/version': 'getVersion',
  'GET /v1/plugins': 'listPlugins',
  'POST /v1/manifests/validate': 'validateManifest',
  'POST /v1/runs': 'submitRun',
  'GET /v1/runs': 'listRuns',
  'GET /v1/runs/:id': 'getRun',
  'POST /v1/runs/:id/cancel': 'cancelRun',
  'POST /v1/runs/:id/resume': 'resumeRun',
  'GET /v1/runs/:id/events': 'streamRunEvents',
  'GET /v1/runs/:id/artifacts': 'listRunArtifacts',
  'GET /v1/runs/:id/artifacts/*': 'downloadRunArtifact',
  'GET /v1/compare': 'compareRunEvaluations',
};

const TAGS = [
  { name: 'meta', description: 'health, version, plugins, dashboard login' },
  { name: 'manifests', description: 'validate an experiment manifest without running it' },
  { name: 'runs', description: 'submit, list, follow, cancel, resume, label, delete and compare runs' },
  { name: 'artifacts', description: 'a run\'s files, one at a time or as one archive' },
];

/** Fills in operationIds (an onRoute hook: it runs before the schema is compiled into the document). */
export function nameOperation(route: RouteOptions): void {
  const schema = route.schema as { operationId?: string; hide?: boolean } | undefined;
  if (!schema || schema.hide || schema.operationId) return;
  for (const method of [route.method].flat()) {
    const id = OPERATION_IDS[`${method} ${route.url}`];
    if (id) schema.operationId = id;
  }
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Replaces every inlined copy of `schema` in the tree with a $ref to it. */
function share(node: unknown, schema: unknown, ref: string): unknown {
  if (Array.isArray(node)) return node.map((n) => share(n, schema, ref));
  if (!node || typeof node !== 'object') return node;
  if (same(node, schema)) return { $ref: ref };
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, share(v, schema, ref)]));
}

// The kernel's own schema keywords (e.g. hostResource) are not OpenAPI: they travel as x- extensions.
function asOpenApi(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(asOpenApi);
  if (!node || typeof node !== 'object') return node;
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k === 'hostResource' ? 'x-crucible-host-resource' : k, asOpenApi(v)]));
}

// The manifest as clients see it; the kernel validates it (with paths and "did you mean"), not the HTTP layer.
function manifestComponent(): Record<string, unknown> {
  const { $id: _id, ...rest } = asOpenApi(manifestSchema) as Record<string, unknown>;
  return { ...rest, description: 'an experiment manifest; `extends` names a file in the server\'s manifests folder, relative plugin paths resolve against that folder' };
}

export function polishDocument(doc: Record<string, any>, options: { version: string }): Record<string, any> {
  const out = structuredClone(doc);
  out.servers = [{ url: '/', description: 'this server' }];
  out.info = { ...out.info, version: options.version, license: { name: 'MIT', url: 'https://opensource.org/licenses/MIT' } };
  out.tags = TAGS;
  const errorEnvelope = structuredClone(errorSchema) as unknown;
  const paths: Record<string, any> = {};
  for (const [path, ops] of Object.entries(out.paths ?? {})) {
    // The artifact route's wildcard becomes a named parameter that may hold slashes.
    const named = path.replace('{*}', '{path}');
    for (const op of Object.values(ops as Record<string, any>)) {
      for (const p of op.parameters ?? []) if (p.in === 'path' && p.name === '*') Object.assign(p, { name: 'path', description: 'a file path inside the run folder, e.g. stages/pair/preferences.jsonl' });
      // Every route is rate limited (when the limit is on): a client can always meet a 429.
      if (!Object.keys(op.responses ?? {}).some((code) => code.startsWith('4'))) op.responses = { ...op.responses, 429: { description: 'rate limit exceeded', content: { 'application/json': { schema: errorEnvelope } } } };
      const body = op.requestBody?.content?.['application/json'];
      if (body && (op.operationId === 'submitRun' || op.operationId === 'validateManifest')) body.schema = { $ref: '#/components/schemas/Manifest' };
    }
    paths[named] = ops;
  }
  out.paths = share(paths, (errorEnvelope as { properties: unknown }), '#/components/schemas/Error');
  // fastify-swagger emits error bodies as { type, required, properties }: share them whole.
  out.paths = share(out.paths, errorEnvelope, '#/components/schemas/Error');
  out.components = { ...out.components, schemas: { ...(out.components?.schemas ?? {}), Error: errorEnvelope, Manifest: manifestComponent() } };
  return out;
}

// `crucible sandbox-server`: crucible's executor as a reward sandbox for other RL stacks.
//
//   GET  /health         no auth; {"status":"ok"}
//   POST /run_code       SandboxFusion's request/response shape (Python), so trainers that call a SandboxFusion
//                        URL (verl's sandbox_fusion reward) can use crucible; also /t/<token>/run_code
//   POST /v1/execute     native: {items: [{problem, candidates: [{id, code}]}], executor?: {plugin, config}}
//                        -> {executor, results: [{problemId, executions}]} with crucible's execution records
import { HOST_DEFAULTS } from '../builtins.js';
import Fastify, { type FastifyInstance } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import { sep } from 'node:path';
import type { Candidate, Problem } from '../kernel/contract/data.js';
import { CrucibleError, isCrucibleError } from '../kernel/errors.js';
import { HttpError, installErrorHandlers, makeScrubber } from '../server/http-errors.js';
import { installSandboxAuth, pathToken } from './auth.js';
import { ExecutorPool } from './executors.js';
import type { SandboxServerOptions } from './options.js';
import { checkExecutorSpec, operatorPolicy, requestPolicy, type ExecutorSpec } from './policy.js';
import { RUN_CODE_STDERR_BYTES, runCodeJob, runCodeResponse, type RunCodeRequest } from './run-code.js';
import { executeBody, runCodeBody } from './schemas.js';

interface ExecuteBody {
  items: Array<{ problem: Problem; candidates: Array<{ id: string; code: string }> }>;
  executor?: ExecutorSpec;
}

export async function buildSandboxApp(options: SandboxServerOptions & { token: string }, baseDir: string): Promise<{ app: FastifyInstance; pool: ExecutorPool }> {
  const tokens = new WeakMap<object, string>();
  const app = Fastify({
    logger: { level: options.logLevel },
    bodyLimit: options.bodyLimit,
    // A token in the path (/t/<token>/run_code) is taken out before routing and logging.
    rewriteUrl: (req) => {
      const { url, token } = pathToken(req.url ?? '/');
      if (token !== undefined) tokens.set(req, token);
      return url;
    },
  });
  installErrorHandlers(app, makeScrubber([{ dir: baseDir, label: '' }]));
  if (options.rateLimit > 0) await app.register(rateLimit, { max: options.rateLimit, timeWindow: '1 minute' });
  installSandboxAuth(app, options.token, tokens);
  const pool = new ExecutorPool(baseDir);
  app.addHook('onClose', async () => pool.close());

  // The operator's Python settings, resolved once: a bad --python-config (or sandbox "off" without
  // --allow-unsandboxed) stops the start, and sandbox "auto" becomes "required" unless unsandboxed runs are allowed.
  const operator = operatorPolicy(options);
  const python = await checkExecutorSpec({ plugin: HOST_DEFAULTS.sandboxServerExecutor, config: options.pythonConfig }, operator, baseDir, '--python-config');
  // Created now, so a server that cannot isolate as its policy requires (no bubblewrap for "required") refuses to start.
  await pool.use(python, async () => undefined).catch(async (error: unknown) => {
    await pool.close();
    if (!isCrucibleError(error) || error.code !== 'CRUCIBLE_E_SANDBOX') throw error;
    throw CrucibleError.at('CRUCIBLE_E_SANDBOX', {
      path: '--python-config.sandbox',
      message: `${error.issues[0]?.message ?? error.message}; this server runs ${options.pythonConfig.sandbox === undefined ? 'the default sandbox' : `sandbox "${String(options.pythonConfig.sandbox)}"`} as "${String(python.config.sandbox)}"`,
      hint: 'install bubblewrap, or start the server with --allow-unsandboxed to run candidates without it',
    });
  });
  const defaultExecutor = async (language: string): Promise<ExecutorSpec> => {
    const plugin = (HOST_DEFAULTS.executorForLanguage as Record<string, string>)[language];
    if (plugin === python.plugin) return python;
    if (plugin !== undefined) return checkExecutorSpec({ plugin, config: {} }, operator, baseDir);
    throw CrucibleError.at('CRUCIBLE_E_INPUT', { path: 'items.problem.language', message: `no executor for language "${language}" on this server`, hint: 'name one with "executor"' });
  };

  app.get('/health', async () => ({ status: 'ok' }));

  app.post('/run_code', { schema: { body: runCodeBody } }, async (request) => {
    const body = request.body as RunCodeRequest;
    if (body.language !== 'python') {
      throw new HttpError(400, 'CRUCIBLE_E_INPUT', `language "${body.language}" is not served by run_code here (python only)`, [{ path: 'body.language', message: 'must be "python"', hint: 'the native route /v1/execute runs the other executors' }]);
    }
    for (const name of [...Object.keys(body.files ?? {}), ...(body.fetch_files ?? [])]) {
      if (name.startsWith('/') || name.split(/[\\/]/).includes('..') || name.includes('\0') || name.includes(sep + sep)) {
        throw new HttpError(400, 'CRUCIBLE_E_INPUT', `file path "${name.slice(0, 80)}" must stay inside the working folder`, [{ path: 'body.files', message: 'relative paths without ".."' }]);
      }
    }
    const runTimeout = Math.min(body.run_timeout ?? 10, 300);
    const memory = body.memory_limit_MB !== undefined && body.memory_limit_MB > 0 ? Math.max(16, Math.round(body.memory_limit_MB)) : undefined;
    // The operator's settings with the request's limits (numbers the schema bounds; no host resource).
    const spec = await checkExecutorSpec(
      { plugin: python.plugin, config: { ...python.config, timeoutSeconds: runTimeout, testTimeoutSeconds: 1, canonicalTimeFactor: 0, dedupe: false, stderrBytes: RUN_CODE_STDERR_BYTES, ...(memory ? { memoryMb: memory } : {}) } },
      operator,
      baseDir,
    );
    const { problem, candidate, marker } = runCodeJob(body);
    const [execution] = await pool.use(spec, (executor) => executor.execute(problem, [candidate]));
    return runCodeResponse(execution, marker);
  });

  app.post('/v1/execute', { schema: { body: executeBody } }, async (request) => {
    const body = request.body as ExecuteBody;
    const count = body.items.reduce((n, item) => n + item.candidates.length, 0);
    if (count > options.maxCandidates) throw new HttpError(400, 'CRUCIBLE_E_INPUT', `${count} candidates in one request; this server takes at most ${options.maxCandidates}`, [{ path: 'body.items', message: 'split the request' }]);
    const languages = new Set(body.items.map((i) => i.problem.language));
    if (!body.executor && languages.size > 1) throw new HttpError(400, 'CRUCIBLE_E_INPUT', 'problems of several languages in one request need one request per language', [{ path: 'body.items', message: 'one language per request' }]);
    const spec = body.executor ? await checkExecutorSpec(body.executor, requestPolicy(options), baseDir) : await defaultExecutor(body.items[0]?.problem.language ?? 'python');
    const results = await pool.use(spec, (executor) =>
      Promise.all(body.items.map(async ({ problem, candidates }) => {
        const full: Candidate[] = candidates.map((c, index) => ({ id: c.id, problemId: problem.id, index, prompt: problem.prompt, completion: c.code, code: c.code }));
        return { problemId: problem.id, executions: await executor.execute(problem, full) };
      })),
    );
    return { executor: spec.plugin, executorConfig: spec.config, results };
  });

  return { app, pool };
}

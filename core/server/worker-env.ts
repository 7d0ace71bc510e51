// The environment a run's worker process starts with. Runs execute code a token holder chose, so they
// inherit no secret of the server: a fixed set of harmless variables, crucible's own settings (never the
// token), and only the further names the operator listed with --pass-env.

/** Variables every worker gets when the server has them: locale, paths, and crucible's runtime switches. */
export const WORKER_BASE_ENV = [
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'LANG',
  'LANGUAGE',
  'TZ',
  'TMPDIR',
  'XDG_CACHE_HOME',
  'CRUCIBLE_PYTHON',
  'CRUCIBLE_TFJS_BACKEND',
  'CRUCIBLE_WASM_KERNELS',
  'CRUCIBLE_LOG_LEVEL',
] as const;

/** Never passed on, whatever the operator lists: the server's own credential. */
export const NEVER_PASSED = new Set(['CRUCIBLE_TOKEN']);

export function workerEnv(source: NodeJS.ProcessEnv, passEnv: readonly string[] = []): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  const wanted = new Set<string>([...WORKER_BASE_ENV, ...passEnv]);
  for (const name of Object.keys(source)) {
    if (name.startsWith('LC_')) wanted.add(name);
  }
  for (const name of wanted) {
    if (NEVER_PASSED.has(name)) continue;
    const value = source[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}

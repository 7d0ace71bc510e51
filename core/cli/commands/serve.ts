// `crucible serve`: the HTTP control API (see core/server/). Runs execute in worker processes.
import type { Command } from 'commander';
import { DEFAULTS } from '../../server/options.js';
import { startServer } from '../../server/start.js';
import { collect } from '../shared.js';

const int = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`not a non-negative integer: ${value}`);
  return n;
};

interface ServeFlags {
  host: string;
  port: number;
  runsDir: string;
  maxConcurrent: number;
  manifestsDir: string;
  allowPackage: string[];
  allowPluginDir: string[];
  dataDir: string[];
  allowUrl: string[];
  allowUnsandboxed: boolean;
  passEnv: string[];
  onRestart: 'resume' | 'leave';
  bodyLimit: number;
  rateLimit: number;
  keepAliveMs: number;
  cancelGraceMs: number;
  publicDocs: boolean;
}

export function register(program: Command): void {
  program
    .command('serve')
    .description('serve the HTTP control API under /v1 (bearer token: CRUCIBLE_TOKEN, or generated and printed once)')
    .option('--host <host>', 'address to bind (non-loopback needs CRUCIBLE_TOKEN)', DEFAULTS.host)
    .option('--port <port>', 'port (0 = any free port)', int, DEFAULTS.port)
    .option('--runs-dir <dir>', 'runs directory', process.env.CRUCIBLE_RUNS_DIR ?? DEFAULTS.runsDir)
    .option('--max-concurrent <n>', 'runs executing at once', int, DEFAULTS.maxConcurrent)
    .option('--manifests-dir <dir>', 'folder that `extends` and relative plugin paths of submitted manifests resolve against', DEFAULTS.manifestsDir)
    .option('--allow-package <name>', 'an installed plugin package submitted manifests may use (repeatable)', collect, [])
    .option('--allow-plugin-dir <dir>', 'a folder of local plugins submitted manifests may use (repeatable)', collect, [])
    .option('--data-dir <dir>', 'a folder whose files submitted manifests may read (repeatable; the manifests and runs folders always are)', collect, [])
    .option('--allow-url <host-or-url>', 'a host[:port] or URL prefix submitted manifests may send requests to (repeatable; default: loopback)', collect, [])
    .option('--allow-unsandboxed', 'let submitted manifests weaken isolation (e.g. the python executor\'s sandbox "off" or "auto")', false)
    .option('--pass-env <name>', 'an environment variable run workers inherit (repeatable; CRUCIBLE_TOKEN never is)', collect, [])
    .option('--on-restart <mode>', 'runs a crash left RUNNING: resume (re-queue) or leave (FAILED, resumable)', DEFAULTS.onRestart)
    .option('--body-limit <bytes>', 'largest request body', int, DEFAULTS.bodyLimit)
    .option('--rate-limit <n>', 'requests per minute per client (0 = off)', int, DEFAULTS.rateLimit)
    .option('--keep-alive-ms <ms>', 'keep-alive comment interval of event streams', int, DEFAULTS.keepAliveMs)
    .option('--cancel-grace-ms <ms>', 'time a cancelled run gets before its process group is killed', int, DEFAULTS.cancelGraceMs)
    .option('--public-docs', 'serve /docs without a token', false)
    .action(async (flags: ServeFlags) => {
      const server = await startServer({
        host: flags.host,
        port: flags.port,
        runsDir: flags.runsDir,
        maxConcurrent: flags.maxConcurrent,
        manifestsDir: flags.manifestsDir,
        allowPackages: flags.allowPackage,
        allowPluginDirs: flags.allowPluginDir,
        dataDirs: flags.dataDir,
        allowUrls: flags.allowUrl,
        allowUnsandboxed: flags.allowUnsandboxed,
        passEnv: flags.passEnv,
        onRestart: flags.onRestart,
        bodyLimit: flags.bodyLimit,
        rateLimit: flags.rateLimit,
        keepAliveMs: flags.keepAliveMs,
        cancelGraceMs: flags.cancelGraceMs,
        publicDocs: flags.publicDocs,
      });
      process.stdout.write(`crucible serve: listening on ${server.url}\n`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          // Running runs' workers are stopped and the runs stay RUNNING: the next start recovers them.
          server.close().then(resolve, resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}

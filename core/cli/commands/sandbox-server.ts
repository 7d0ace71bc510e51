// `crucible sandbox-server`: the executor over HTTP for other RL stacks (SandboxFusion-compatible run_code + a native route).
import type { Command } from 'commander';
import { CrucibleError } from '../../kernel/errors.js';
import { SANDBOX_DEFAULTS } from '../../sandbox-server/options.js';
import { startSandboxServer } from '../../sandbox-server/start.js';
import { collect } from '../shared.js';

const int = (flag: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw CrucibleError.at('CRUCIBLE_E_INPUT', { path: flag, message: `not a non-negative integer: ${value}` });
  return n;
};

interface Flags {
  host: string;
  port: number;
  allowPackage: string[];
  allowPluginDir: string[];
  allowUnsandboxed?: boolean;
  pythonConfig?: string;
  bodyLimit: number;
  rateLimit: number;
  maxCandidates: number;
}

export function register(program: Command): void {
  program
    .command('sandbox-server')
    .description('serve the executor over HTTP: SandboxFusion-compatible POST /run_code (Python) and POST /v1/execute (bearer token: CRUCIBLE_TOKEN, or generated and printed once)')
    .option('--host <host>', 'address to bind (non-loopback needs CRUCIBLE_TOKEN)', SANDBOX_DEFAULTS.host)
    .option('--port <port>', 'port (0 = any free port)', int('--port'), SANDBOX_DEFAULTS.port)
    .option('--allow-package <name>', 'an installed executor package requests may name (repeatable)', collect, [])
    .option('--allow-plugin-dir <dir>', 'a folder of local executor plugins requests may name (repeatable)', collect, [])
    .option('--allow-unsandboxed', 'let sandbox "auto" run without bubblewrap and requests turn the sandbox off (otherwise "auto" runs as "required")')
    .option('--python-config <json>', 'config of the python executor for requests that name none, e.g. \'{"sandbox":"required","workers":4}\'')
    .option('--body-limit <bytes>', 'largest request body', int('--body-limit'), SANDBOX_DEFAULTS.bodyLimit)
    .option('--rate-limit <n>', 'requests per minute per client (0 = off)', int('--rate-limit'), SANDBOX_DEFAULTS.rateLimit)
    .option('--max-candidates <n>', 'candidates in one /v1/execute request', int('--max-candidates'), SANDBOX_DEFAULTS.maxCandidates)
    .action(async (flags: Flags) => {
      let pythonConfig: Record<string, unknown> = {};
      if (flags.pythonConfig) {
        try {
          pythonConfig = JSON.parse(flags.pythonConfig) as Record<string, unknown>;
        } catch (error) {
          throw CrucibleError.at('CRUCIBLE_E_INPUT', { path: '--python-config', message: `not JSON: ${(error as Error).message}` });
        }
      }
      const server = await startSandboxServer({
        host: flags.host,
        port: flags.port,
        allowPackages: flags.allowPackage,
        allowPluginDirs: flags.allowPluginDir,
        allowUnsandboxed: flags.allowUnsandboxed === true,
        pythonConfig,
        bodyLimit: flags.bodyLimit,
        rateLimit: flags.rateLimit,
        maxCandidates: flags.maxCandidates,
      });
      process.stdout.write(`crucible sandbox-server: listening on ${server.url} (run_code: ${server.url}/run_code)\n`);
      if (server.tokenGenerated) process.stdout.write(`token (generated; set CRUCIBLE_TOKEN to choose one): ${server.token}\n`);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await server.close();
    });
}

import type { Command } from 'commander';
import { CrucibleError } from '../../kernel/errors.js';
import { HOST_MODULES } from '../../builtins.js';

interface ServeOptions {
  host: string;
  port: string;
  backend?: string;
  servedModelName?: string;
  chatMaxTokens: string;
  log?: boolean;
}

interface ServerModule {
  startModelServer(options: Record<string, unknown>): Promise<{ url: string; model: { id: string; backend: string }; close(): Promise<void> }>;
}

export function register(program: Command): void {
  program
    .command('serve-model <modelDir>')
    .description('serve a Hugging Face model folder over the OpenAI API (/v1/models, /v1/completions, /v1/chat/completions, /v1/stats)')
    .option('--host <host>', 'address to bind (loopback by default; the server has no auth)', '127.0.0.1')
    .option('--port <port>', 'port (0 picks a free one)', '8000')
    .option('--backend <name>', 'force a tfjs backend: tensorflow, wasm or cpu')
    .option('--served-model-name <name>', 'the model name clients send (default: the model id; the folder name is accepted too)')
    .option('--chat-max-tokens <n>', 'max_tokens for chat requests that set none', '512')
    .option('--log', 'log every request')
    .action(async (modelDir: string, opts: ServeOptions) => {
      const port = Number(opts.port);
      const chatMaxTokens = Number(opts.chatMaxTokens);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw CrucibleError.at('CRUCIBLE_E_INPUT', { path: '--port', message: `not a port: ${opts.port}` });
      if (!Number.isInteger(chatMaxTokens) || chatMaxTokens < 1) throw CrucibleError.at('CRUCIBLE_E_INPUT', { path: '--chat-max-tokens', message: `not a positive integer: ${opts.chatMaxTokens}` });
      const { startModelServer } = (await import(HOST_MODULES.modelServer)) as ServerModule;
      const server = await startModelServer({
        modelDir,
        host: opts.host,
        port,
        backend: opts.backend,
        servedModelName: opts.servedModelName,
        chatMaxTokens,
        logger: opts.log === true,
      });
      process.stderr.write(`serving ${server.model.id} (backend ${server.model.backend}) at ${server.url}\n`);
      await new Promise<void>((resolveStop) => {
        const stop = () => resolveStop();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await server.close();
    });
}

// Starts the sandbox server: options checked, app built, port bound; the token is printed once when generated.
import '../builtins.js';
import { buildSandboxApp } from './app.js';
import { finalizeSandboxOptions, type SandboxServerOptions } from './options.js';

export interface RunningSandboxServer {
  url: string;
  token: string;
  tokenGenerated: boolean;
  close(): Promise<void>;
}

export async function startSandboxServer(partial: Partial<SandboxServerOptions>, baseDir = process.cwd()): Promise<RunningSandboxServer> {
  const options = finalizeSandboxOptions(partial);
  const { app } = await buildSandboxApp(options, baseDir);
  await app.listen({ host: options.host, port: options.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return { url: `http://${host}:${port}`, token: options.token, tokenGenerated: options.tokenGenerated, close: () => app.close() };
}

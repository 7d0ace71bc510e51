import type { Command } from 'commander';
import { listPlugins } from '../../kernel/registry/list.js';

export function register(program: Command): void {
  program
    .command('plugins')
    .description('list the built-in plugins with kind, version and config schema')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => {
      const plugins = await listPlugins();
      if (opts.json) {
        process.stdout.write(JSON.stringify(plugins, null, 2) + '\n');
        return;
      }
      for (const p of plugins) {
        const status = p.error ? `  (unavailable: ${p.error})` : '';
        process.stdout.write(`${p.kind.padEnd(10)} ${p.name.padEnd(18)} ${p.version.padEnd(8)} ${p.description ?? ''}${status}\n`);
      }
    });
}

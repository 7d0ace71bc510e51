import type { Command } from 'commander';
import { resolve } from 'node:path';
import { listPlugins, type PluginDescription } from '../../catalog/list.js';

/** "limit (integer, default 4), name (string)": a schema's top-level options in one line. */
function options(schema: unknown): string {
  const properties = (schema as { properties?: Record<string, { type?: unknown; default?: unknown }> } | null)?.properties ?? {};
  return Object.entries(properties)
    .map(([name, p]) => {
      const facts = [Array.isArray(p.type) ? p.type.join('|') : p.type, p.default === undefined ? undefined : `default ${JSON.stringify(p.default)}`].filter(Boolean);
      return facts.length ? `${name} (${facts.join(', ')})` : name;
    })
    .join(', ');
}

function line(p: PluginDescription): string {
  const from = p.package ? `  [package ${p.package}]` : '';
  const status = p.error ? `  (unavailable: ${p.error})` : '';
  const head = `${p.kind.padEnd(10)} ${p.name.padEnd(18)} ${p.version.padEnd(8)} ${p.description ?? ''}${from}${status}`;
  const opts = p.error ? '' : options(p.configSchema);
  return opts ? `${head}\n${' '.repeat(11)}options: ${opts}\n` : `${head}\n`;
}

export function register(program: Command): void {
  program
    .command('plugins')
    .description('list the built-in plugins and the plugin packages installed for the project (package.json keyword "crucible-plugin"), with kind, version and options (GET /v1/plugins lists the same)')
    .option('--json', 'machine-readable output, with each config schema')
    .option('--project <dir>', 'list the plugin packages a manifest in this folder can name (its node_modules and its ancestors\')', '.')
    .action(async (opts: { json?: boolean; project: string }) => {
      const plugins = await listPlugins({ projectDir: resolve(opts.project) });
      if (opts.json) {
        process.stdout.write(JSON.stringify(plugins, null, 2) + '\n');
        return;
      }
      for (const p of plugins) process.stdout.write(line(p));
    });
}

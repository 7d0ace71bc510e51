import type { Command } from 'commander';
import { resolveManifest } from '../../kernel/manifest/validate.js';
import { collect } from '../shared.js';

export function register(program: Command): void {
  program
    .command('validate <manifest>')
    .description('check a manifest and print it fully resolved (or every error with its file, line and JSON path)')
    .option('--set <path=value>', 'override a manifest value (repeatable)', collect, [])
    .action(async (file: string, opts: { set: string[] }) => {
      const resolved = await resolveManifest(file, { sets: opts.set });
      process.stdout.write(JSON.stringify(resolved.manifest, null, 2) + '\n');
    });
}

#!/usr/bin/env node
// The crucible command line. Each command lives in commands/<name>.ts and registers itself here.
import 'reflect-metadata';
import '../builtins.js';
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../util/package-root.js';
import { reportError } from './exit.js';
import * as run from './commands/run.js';
import * as cancel from './commands/cancel.js';
import * as validate from './commands/validate.js';
import * as plugins from './commands/plugins.js';
import * as show from './commands/show.js';
import * as compare from './commands/compare.js';
import * as report from './commands/report.js';
import * as serve from './commands/serve.js';
import * as serveModel from './commands/serve-model.js';
import * as exec from './commands/exec.js';
import * as worker from './commands/worker.js';
import * as sandboxServer from './commands/sandbox-server.js';

const version = (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;

export async function main(argv: string[]): Promise<number> {
  const program = new Command('crucible')
    .version(version)
    .description('execution-grounded experiments on code models')
    .showSuggestionAfterError()
    .exitOverride();
  for (const command of [run, cancel, validate, plugins, show, compare, report, exec, serve, serveModel, worker, sandboxServer]) command.register(program);
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'commander.helpDisplayed' || code === 'commander.version') return 0;
    if (code?.startsWith('commander.')) return 2;
    return reportError(error);
  }
}

main(process.argv).then((code) => {
  process.exitCode = code;
});

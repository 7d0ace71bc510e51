#!/usr/bin/env node
// Standalone entry for `crucible serve` (tests and benches start the server as its own process with it).
import 'reflect-metadata';
import { Command } from 'commander';
import { reportError } from '../cli/exit.js';
import { register } from '../cli/commands/serve.js';

const program = new Command('crucible').exitOverride();
register(program);
program.parseAsync(['node', 'crucible', 'serve', ...process.argv.slice(2)]).catch((error) => {
  process.exitCode = reportError(error);
});

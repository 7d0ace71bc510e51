// The HumanEval+/MBPP+ comparison helper as the dataset plugin writes it into Problem.testSetup, read from its source
// so the executor tests exercise the real one.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../../core/kernel/util/package-root.js';

const source = readFileSync(join(packageRoot(), 'plugins', 'datasets', 'python', 'plus_tests.py'), 'utf8');
const match = /COMPARE_SETUP = \'\'\'([\s\S]*?)\'\'\'/.exec(source);
if (!match) throw new Error('COMPARE_SETUP not found in plus_tests.py');
export const COMPARE_SETUP_FOR_TESTS = match[1];

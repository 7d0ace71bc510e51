// docs/error-codes.md is generated from the kernel's ERROR_CODES table and must be current.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { ERROR_CODES } from '../../core/kernel/errors.js';
import { ERROR_CODES_FILE, renderErrorCodes } from '../../tools/error-codes.js';

test('docs/error-codes.md matches the codes in core/kernel/errors.ts (regenerate with npm run docs:errors)', () => {
  assert.fixture(readFileSync(ERROR_CODES_FILE, 'utf8'), renderErrorCodes());
});

test('every code has a meaning and appears in the reference', () => {
  const text = readFileSync(ERROR_CODES_FILE, 'utf8');
  for (const [code, meaning] of Object.entries(ERROR_CODES)) {
    assert.ok(meaning.length > 10, code);
    assert.match(text, `\`${code}\``);
  }
});

test.run();

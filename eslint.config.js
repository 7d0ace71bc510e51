// Lint for plugins: built-in plugins, the example package and test fixtures import crucible only through the
// public entry points a third-party package can reach (crucible-ml, crucible-ml/util, crucible-ml/testing).
import tsParser from '@typescript-eslint/parser';

// A relative import that reaches into core/ anywhere except the three public entry files.
const NON_PUBLIC_CORE = '(^|/)core/(?!index\\.js$|util/index\\.js$|testing/index\\.js$)';
const MESSAGE = 'plugins import crucible only through its public entry points: core/index.js (crucible-ml), core/util/index.js (crucible-ml/util), core/testing/index.js (crucible-ml/testing)';

export default [
  {
    files: ['plugins/**/*.ts', 'examples/**/*.ts'],
    ignores: ['**/node_modules/**', '**/dist/**'],
    languageOptions: { parser: tsParser, ecmaVersion: 2022, sourceType: 'module' },
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { regex: NON_PUBLIC_CORE, message: MESSAGE },
          { regex: '^crucible-ml/(?!util$|testing$)', message: MESSAGE },
        ],
        paths: [{ name: 'tsyringe', message: 'tsyringe stays inside the kernel; plugins get services through ctx' }],
      }],
      'no-restricted-syntax': ['error', {
        selector: `ImportExpression[source.value=/${NON_PUBLIC_CORE.replace(/\//g, '\\/')}/]`,
        message: MESSAGE,
      }],
    },
  },
];

// Lint for plugins: built-in plugins, the example package and test fixtures import crucible exactly as a
// third-party package does, by the package's own names (crucible-ml, crucible-ml/util, crucible-ml/testing,
// crucible-ml/training);
// a relative or absolute path into core/ (even to a public entry file) or a deep crucible-ml subpath fails.
import tsParser from '@typescript-eslint/parser';

// A relative or absolute specifier with a path segment named `core` (the kernel's folder, from sources or dist/).
const PATH_INTO_CORE = '^\\.{0,2}/(?:.*/)?core(?:/|$)';
// A subpath of the package that its package.json "exports" does not list.
const DEEP_PACKAGE_PATH = '^crucible-ml/(?!(?:util|testing|training)$)';
const MESSAGE = 'plugins import crucible only by its public package names: crucible-ml, crucible-ml/util, crucible-ml/testing, crucible-ml/training (CONTRIBUTING.md, "Imports in plugins")';

const dynamicImport = (regex) => ({ selector: `ImportExpression[source.value=/${regex.replace(/\//g, '\\/')}/]`, message: MESSAGE });

export default [
  {
    files: ['plugins/**/*.ts', 'examples/**/*.ts'],
    ignores: ['**/node_modules/**', '**/dist/**'],
    languageOptions: { parser: tsParser, ecmaVersion: 2022, sourceType: 'module' },
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { regex: PATH_INTO_CORE, message: MESSAGE },
          { regex: DEEP_PACKAGE_PATH, message: MESSAGE },
        ],
        paths: [{ name: 'tsyringe', message: 'tsyringe stays inside the kernel; plugins get services through ctx' }],
      }],
      'no-restricted-syntax': ['error', dynamicImport(PATH_INTO_CORE), dynamicImport(DEEP_PACKAGE_PATH)],
    },
  },
];

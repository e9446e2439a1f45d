import tseslint from 'typescript-eslint';

/**
 * Typed lint, run by `npm test` (`npm run lint`). The rules are the ones the code's correctness
 * leans on: promises are awaited or explicitly voided (a floating rejection kills the process
 * under Node's default), no promise where a callback's result is ignored, every union switched
 * over completely (a new verb, event or error name must be handled), at most three parameters
 * (STYLE.md §9), no unused code, and no imports into another package's files.
 */
const root = new URL('../..', import.meta.url).pathname;

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '**/lib/**', 'tools/**', 'packages/cli/bin/**', 'packages/cli/build.ts', 'packages/web/vite.config.ts', 'vitest.config.ts'] },
  {
    files: ['packages/*/src/**/*.{ts,tsx}', 'packages/*/test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    languageOptions: { parser: tseslint.parser, parserOptions: { projectService: true, tsconfigRootDir: root } },
    plugins: { '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true, requireDefaultForNonUnion: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      'max-params': ['error', 3],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@parley/*/src/*', '../../*/src/*', '../../../*/src/*'],
              message: 'Import another package through its entry (src/index.ts, or ./internal), not its files.',
            },
          ],
        },
      ],
    },
  },
);

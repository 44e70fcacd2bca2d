// ESLint: typescript-eslint's recommended rules, and the layers of the workspace as import rules.
//
// Layers (docs/architecture.md): @pvnas/base <- @pvnas/ingest, @pvnas/nas <- @pvnas/sample <- apps, tools, e2e tests.
// A library never imports an app, tools/ or test/; nas and ingest never import each other; every import across
// projects goes through a public `@pvnas/*` entry point (tsconfig.base.json paths), never `../../libs/x/src/...`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const ACROSS_PROJECTS = {
  regex: '^(\\.\\./)+(libs|apps|tools|test)/',
  message: 'Import another project through its public entry point (@pvnas/base, @pvnas/ingest, @pvnas/nas, @pvnas/sample), never by a relative path into it.',
};

/** The `no-restricted-imports` rule for a folder: no deep relative imports, and no import matching `forbidden` (a regex). */
const layer = (files, forbidden, why, ignores = []) => ({
  files,
  ignores,
  rules: {
    'no-restricted-imports': ['error', { patterns: [ACROSS_PROJECTS, ...(forbidden ? [{ regex: forbidden, message: why }] : [])] }],
  },
});

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'data/**', 'runs/**', 'exp/**', '.nx/**', '**/native/build/**', 'tools/device/.build/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        __dirname: 'readonly',
        require: 'readonly',
        module: 'writable',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        performance: 'readonly',
        globalThis: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  { files: ['**/*.js'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
  layer(['libs/base/**'], '^@pvnas/(?!base(/|$))', '@pvnas/base is the bottom layer: it imports no other library.'),
  layer(['libs/ingest/**'], '^@pvnas/(nas|sample)(/|$)', '@pvnas/ingest depends on @pvnas/base only.'),
  layer(['libs/nas/**'], '^@pvnas/(ingest|sample)(/|$)', '@pvnas/nas depends on @pvnas/base only (data comes in as plain batches).'),
  layer(['libs/sample/**'], '^@pvnas/nas(/|$)', '@pvnas/sample depends on @pvnas/base and @pvnas/ingest only.'),
  layer(['libs/runtime/**', 'apps/trainer/**', 'apps/viewer/**', 'tools/**', 'test/**'], null, ''),
  layer(
    ['apps/viewer/src/**'],
    '^@pvnas/(nas|sample)(/|$)|^@pvnas/ingest$|^@pvnas/ingest/testing$|^@pvnas/base/node$',
    'The viewer runs in a browser: @pvnas/base and @pvnas/ingest/browser only.',
    ['**/*.test.ts'],
  ),
);

// Shared jest settings: @swc/jest transform (the fastest TS transform here) and the workspace path aliases.
const path = require('node:path');
const root = __dirname;

module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }],
  },
  moduleNameMapper: {
    '^@pvnas/ingest$': path.join(root, 'libs/ingest/src/index.ts'),
    '^@pvnas/nas$': path.join(root, 'libs/nas/src/index.ts'),
    '^@pvnas/sample$': path.join(root, 'tools/sample/src/index.ts'),
  },
  testMatch: ['**/*.test.ts'],
  testTimeout: 60000,
  setupFiles: [path.join(root, 'tools/jest/setup-env.js')],
};

// Shared jest settings: @swc/jest transform (the fastest TS transform here) and the workspace path aliases.
const path = require('node:path');
const root = __dirname;
const ESM_ONLY = '/node_modules/(d3-[a-z-]+|internmap|@hpcc-js/wasm-graphviz)/.+\\.m?js$';

module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }],
    // packages that ship ES modules only (the run plots' d3 and graphviz-wasm): CommonJS for jest's
    // module system; node and tsx load them as they are
    [ESM_ONLY]: ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!(d3-[a-z-]+|internmap|@hpcc-js/wasm-graphviz)/)'],
  moduleNameMapper: {
    '^@pvnas/base$': path.join(root, 'libs/base/src/index.ts'),
    '^@pvnas/base/node$': path.join(root, 'libs/base/src/node/index.ts'),
    '^@pvnas/ingest$': path.join(root, 'libs/ingest/src/index.ts'),
    '^@pvnas/ingest/browser$': path.join(root, 'libs/ingest/src/browser.ts'),
    '^@pvnas/ingest/testing$': path.join(root, 'libs/ingest/src/testing.ts'),
    '^@pvnas/nas$': path.join(root, 'libs/nas/src/index.ts'),
    '^@pvnas/nas/testing$': path.join(root, 'libs/nas/src/testing.ts'),
    '^@pvnas/sample$': path.join(root, 'libs/sample/src/index.ts'),
  },
  testMatch: ['**/*.test.ts'],
  testTimeout: 60000,
  setupFiles: [path.join(root, 'jest.setup.js')],
};

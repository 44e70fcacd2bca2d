// Lets plain `node` (CLI bins, piscina worker threads) load the workspace's TypeScript sources directly,
// with the `@pvnas/*` path aliases of tsconfig.json. Jest uses @swc/jest instead; this is for everything else.
const path = require('node:path');

if (!process.env.TSX_TSCONFIG_PATH) process.env.TSX_TSCONFIG_PATH = path.join(__dirname, '..', '..', 'tsconfig.json');
if (!globalThis.__pvnasTsxRegistered) {
  require('tsx/cjs/api').register();
  globalThis.__pvnasTsxRegistered = true;
}

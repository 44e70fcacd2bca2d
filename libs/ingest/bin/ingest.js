#!/usr/bin/env node
// `nx run ingest:kinetics|ssv2|ucf101`: loads the TypeScript CLI through tsx (no build step).
require('../../runtime/register.js');
require('../src/cli/ingest-cli.ts').main(process.argv).catch((err) => {
  process.stderr.write(`ingest: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

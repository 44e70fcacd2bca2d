#!/usr/bin/env node
// `nx run tools:bench-ingest`: the ingest benchmark (tools/bench/src/cli.ts), TypeScript loaded through tsx.
'use strict';
require('#runtime/register');
require('../src/cli.ts')
  .main(process.argv)
  .then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`bench-ingest: ${err && err.stack ? err.stack : err}\n`);
      process.exitCode = 1;
    },
  );

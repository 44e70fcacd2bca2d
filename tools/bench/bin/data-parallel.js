#!/usr/bin/env node
// `nx run tools:bench-dp`: data-parallel scaling of the search step, processes vs threads (tools/bench/nas/data-parallel.ts).
'use strict';
require('#runtime/register');
require('../nas/data-parallel.ts')
  .main(process.argv)
  .then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`bench-dp: ${err && err.stack ? err.stack : err}\n`);
      process.exitCode = 1;
    },
  );

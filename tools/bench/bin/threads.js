#!/usr/bin/env node
// `nx run tools:bench-threads`: the default search step with 0 and 1 busy processes, per thread set-up (tools/bench/nas/threads.ts).
'use strict';
require('#runtime/register');
require('../nas/threads.ts')
  .main(process.argv)
  .then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`bench-threads: ${err && err.stack ? err.stack : err}\n`);
      process.exitCode = 1;
    },
  );

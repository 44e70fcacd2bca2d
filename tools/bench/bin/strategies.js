#!/usr/bin/env node
// `nx run tools:bench-strategies`: memory and step time of the supernet strategies (tools/bench/nas/strategies.ts), through tsx.
'use strict';
require('#runtime/register');
require('../nas/strategies.ts')
  .main(process.argv)
  .then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`bench-strategies: ${err && err.stack ? err.stack : err}\n`);
      process.exitCode = 1;
    },
  );

#!/usr/bin/env node
// `nx run tools:bench-nas`: search and derived-network steps vs the PyTorch peer, L/M costs (tools/bench/nas/nas-steps.ts), through tsx.
'use strict';
require('#runtime/register');
require('../nas/nas-steps.ts')
  .main(process.argv)
  .then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`bench-nas: ${err && err.stack ? err.stack : err}\n`);
      process.exitCode = 1;
    },
  );

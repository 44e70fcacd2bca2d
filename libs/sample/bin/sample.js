#!/usr/bin/env node
// The sample-dataset CLI (`nx run sample:generate`): see libs/sample/src/cli.ts for the options.
'use strict';
require('#runtime/register');
const { runSampleCli } = require('../src/cli.ts');

runSampleCli(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`sample: ${err && err.stack ? err.stack : err}\n`);
    process.exitCode = 1;
  },
);

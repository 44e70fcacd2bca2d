#!/usr/bin/env node
// The `pvnas` command: loads the TypeScript CLI through tsx (no build step).
require('#runtime/register');
// started with an IPC channel (by `pvnas ablation`): the channel only signals the parent's end, it must not keep us alive
if (process.channel) process.channel.unref();
require('../src/cli/main.ts')
  .main(process.argv)
  .catch((err) => {
    process.stderr.write(`pvnas: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });

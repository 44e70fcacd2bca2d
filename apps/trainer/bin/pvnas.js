#!/usr/bin/env node
// The `pvnas` command: loads the TypeScript CLI through tsx (no build step).
require('#runtime/register');
// started with an IPC channel (by `pvnas ablation`): the channel only signals the parent's end, it must not keep us alive
if (process.channel) process.channel.unref();
require('../src/cli/main.ts')
  .main(process.argv)
  .catch((err) => {
    // a data-parallel worker names its rank (the launcher then names the rank that failed)
    const who = process.env.RANK !== undefined && process.env.WORLD_SIZE !== '1' ? `pvnas (rank ${process.env.RANK})` : 'pvnas';
    process.stderr.write(`${who}: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });

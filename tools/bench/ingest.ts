// `npm run bench:ingest` (tsx tools/bench/ingest.ts): the same CLI as `nx run tools:bench-ingest`.
import { main } from './src/cli';

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`bench-ingest: ${err instanceof Error && err.stack ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  },
);

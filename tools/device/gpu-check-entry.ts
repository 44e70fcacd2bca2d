// The bundle's entry (prepare.sh): runs the GPU check with the command line's arguments.
import { main } from './gpu-check';

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (e) => {
    process.stderr.write(`gpu-check: ${(e as Error).stack ?? e}\n`);
    process.exitCode = 1;
  },
);

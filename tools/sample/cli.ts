// `npm run sample` (package.json runs `tsx tools/sample/cli.ts`): the same CLI as tools/sample/bin/sample.js.
import { runSampleCli } from './src/cli';

void runSampleCli(process.argv).then((code) => {
  process.exitCode = code;
});

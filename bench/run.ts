// `npm run bench [-- <figure> …] [--smoke] [--rounds N] [--out DIR]`: see bench/src/lib/runner.ts.
import { join } from 'node:path';
import { BENCHES } from './src/figures/index.js';
import { BenchUsageError, parseRequest, runBenches, usage } from './src/lib/runner.js';

const root = join(import.meta.dirname, '..');
try {
  const request = parseRequest(process.argv.slice(2), BENCHES, root);
  if (!request) {
    console.log(usage(BENCHES));
    process.exit(0);
  }
  const { exitCode } = await runBenches(request, BENCHES, { root, command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}` });
  process.exit(exitCode);
} catch (error) {
  if (error instanceof BenchUsageError) {
    console.error(`bench: ${error.message} (npm run bench -- --help)`);
    process.exit(2);
  }
  throw error;
}

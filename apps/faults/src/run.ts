import { parseArgs } from 'node:util';
import { formatLine, writeReport } from './report.js';
import { SCENARIOS } from './scenarios/index.js';
import type { ScenarioResult, Size } from './scenarios/types.js';

const HELP = `npm run test:faults -- [scenario…] [--size small|full]

Runs fault scenarios against real processes: each starts its own PostgreSQL and redis-server on
spare ports, TCP proxies in front of them, and api, realtime, automation and gpu-workers as
separate processes. Prints one line per scenario and writes tmp/faults/report.json.
Exit 1 when any scenario fails.

  --size small|full   small fits CI (npm test); full is the issue's sizes (default full)
  --help              this text

Scenarios:
${SCENARIOS.map((s) => `  ${s.name.padEnd(26)} ${s.description}`).join('\n')}`;

/** A bad command line; names the value and the fix. */
class FaultsUsageError extends Error {
  readonly code = 'E_FAULTS_USAGE';
}

function parse(): { names: string[]; size: Size } {
  let parsed;
  try {
    parsed = parseArgs({ allowPositionals: true, options: { size: { type: 'string', default: 'full' }, help: { type: 'boolean', default: false } } });
  } catch (error) {
    // Node's message names the flag (`Unknown option '--x'`, `Option '--size <value>' argument missing`).
    throw new FaultsUsageError(`${(error as Error).message.split('. ')[0]}: valid flags are --size small|full and --help (npm run test:faults -- --help)`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(HELP);
    process.exit(0);
  }
  if (values.size !== 'small' && values.size !== 'full') throw new FaultsUsageError(`--size ${values.size} is not valid: use small or full`);
  const unknown = positionals.filter((n) => !SCENARIOS.some((s) => s.name === n));
  if (unknown.length > 0) throw new FaultsUsageError(`unknown scenario ${unknown.join(', ')}: use ${SCENARIOS.map((s) => s.name).join(', ')}`);
  return { names: positionals, size: values.size };
}

async function main(): Promise<number> {
  const { names, size } = parse();
  const chosen = names.length > 0 ? SCENARIOS.filter((s) => names.includes(s.name)) : SCENARIOS;
  const results: ScenarioResult[] = [];
  for (const scenario of chosen) {
    let result: ScenarioResult;
    try {
      result = await scenario.run(size);
    } catch (error) {
      // A harness or set-up failure is a failed scenario with its reason, not a crashed run.
      result = { name: scenario.name, pass: false, figures: { error: (error as Error).message.replace(/\s+/g, ' ').slice(0, 300) } };
    }
    results.push(result);
    console.log(formatLine(result));
  }
  const file = writeReport(results, size);
  const failed = results.filter((r) => !r.pass).length;
  console.log(`${results.length - failed} passed, ${failed} failed (size ${size}; report ${file})`);
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: Error & { code?: string }) => {
    console.error(error.code?.startsWith('E_') ? error.message : error.stack);
    process.exit(2);
  },
);

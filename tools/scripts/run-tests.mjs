// `npm test`: installs the Debian packages tests need (install-test-deps.sh says which),
// then `nx sync:check`, lint, typecheck and every project's Vitest suite through Nx, then ONE closing line
// `N passed, N failed` added up from each project's Vitest JSON report.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const reports = join(root, 'tmp', 'test-reports');

function step(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, NX_TUI: 'false' } });
  return result.status ?? 1;
}

if (step('bash', ['tools/scripts/install-test-deps.sh']) !== 0) process.exit(1);
rmSync(reports, { recursive: true, force: true });
const nxBin = join(root, 'node_modules', '.bin', 'nx');
// Generated files (service-names.ts, …) must match the registry: fails naming the file and `npx nx sync`.
const sync = step(nxBin, ['sync:check']);
// In CI every test runs for real: a cache shared on the machine must not stand in for a run.
const cacheFlag = process.env.CI ? ['--skip-nx-cache'] : [];
// The fault suite and the production rehearsal start whole stacks (the faults their own PostgreSQL
// and Redis; the rehearsals build the apps, then run nginx, Caddy and chromium, or several instances of
// each backend with kill -9s (rehearse:scale, one spec file at a time within the project)) and measure timings:
// they run last, one at a time, so they neither starve the other tests nor are starved by them.
const ALONE = ['faults', 'rehearsal'];
const checks = step(nxBin, ['run-many', '-t', 'lint', 'typecheck', 'test', `--exclude=${ALONE.join(',')}`, '--parallel=2', '--outputStyle=static', ...cacheFlag]);
const faults = step(nxBin, ['run-many', '-t', 'lint', 'typecheck', 'test', `--projects=${ALONE.join(',')}`, '--parallel=1', '--outputStyle=static', ...cacheFlag]);
const nx = checks || faults || sync;

let passed = 0;
let failed = 0;
const files = existsSync(reports) ? readdirSync(reports).filter((f) => f.endsWith('.json')) : [];
for (const file of files) {
  const report = JSON.parse(readFileSync(join(reports, file), 'utf8'));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
}
if (nx !== 0 && failed === 0) console.error('npm test: a lint, typecheck or test step failed (see above); the counts below are the tests that reported');
console.log(`${passed} passed, ${failed} failed`);
process.exit(nx === 0 ? 0 : 1);

// `npm test`: installs the Debian packages tests need (install-test-deps.sh says which),
// then `nx sync:check`, lint, typecheck and every project's Vitest suite through Nx, then ONE closing line
// `N passed, N failed` added up from each project's Vitest JSON report.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { summarizeReports, unreportedProjects } from '../../libs/testing/src/test-reports.mjs';

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
// Lint and typecheck of every project first, two at a time (CPU only, seconds each).
const checks = step(nxBin, ['run-many', '-t', 'lint', 'typecheck', '--parallel=2', '--outputStyle=static', ...cacheFlag]);
// The projects whose tests start whole stacks, browsers or many processes: the fault suite and
// the production rehearsal (their own PostgreSQL and Redis, nginx, Caddy, kill -9s, timings),
// the CLI (several `npm start` stacks, side-by-side copies), the end-to-end pipeline and
// dashboard (chromium, frame times), the bench smoke and the workspace plugin (real generators,
// builds, bundles). On two cores any two of them at once push the load past 25 and turn bounded
// waits into failures, and gain nothing (the CPU is the limit): one at a time, after the rest.
const ALONE = ['cli', 'pipeline-e2e', 'bench', 'workspace-plugin', 'faults', 'rehearsal'];
const light = step(nxBin, ['run-many', '-t', 'test', `--exclude=${ALONE.join(',')}`, '--parallel=2', '--outputStyle=static', ...cacheFlag]);
const heavy = step(nxBin, ['run-many', '-t', 'test', `--projects=${ALONE.join(',')}`, '--parallel=1', '--outputStyle=static', ...cacheFlag]);

// A project whose Vitest run ended without its report never reached the end of its run: Vitest
// crashed or hung on a test worker that died while starting (libs/testing/src/run-limit.ts ends
// such a run). A failing test always writes its report, so it is never run again; a project with
// no report gets ONE more run, named here, and its second report is the one counted.
const listed = spawnSync(nxBin, ['show', 'projects', '--with-target', 'test', '--json'], { cwd: root, encoding: 'utf8', env: { ...process.env, NX_TUI: 'false' } });
const testProjects = listed.status === 0 ? JSON.parse(listed.stdout) : [];
const unreported = unreportedProjects(reports, testProjects);
if (unreported.length) {
  console.log(`\nnpm test: ${unreported.join(', ')} ended without a test report (a crashed or stopped Vitest run, see above); running ${unreported.length === 1 ? 'it' : 'them'} once more, one at a time`);
  step(nxBin, ['run-many', '-t', 'test', `--projects=${unreported.join(',')}`, '--parallel=1', '--outputStyle=static', ...cacheFlag]);
}
// Every report is read once; one of a project Nx did not list (its listing failed) still counts.
const reported = existsSync(reports) ? readdirSync(reports).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, '')) : [];
const { passed, failed, missing, unsuccessful, failures, durations } = summarizeReports(reports, [...new Set([...testProjects, ...reported])], root);
// Tests pass when every project with tests wrote a report that says success (the Nx exit codes of
// the test steps also count a first run that was repeated above).
const testsOk = listed.status === 0 && testProjects.length > 0 && missing.length === 0 && unsuccessful.length === 0;
const nx = checks || sync || (testsOk ? 0 : light || heavy || 1);

// The CI log may be cut: the failed tests by name, and each project's spec time (files add up; they may overlap), come last.
console.log(`\ntest files' time by project: ${durations.join(', ')}`);
if (failures.length) console.log(`failed tests:\n${failures.join('\n')}`);
if (listed.status !== 0) console.error(`npm test: \`nx show projects --with-target test\` failed: ${listed.stderr}`);
if (missing.length) console.error(`npm test: no test report from ${missing.join(', ')} after a second run: their tests are not counted below`);
if (unsuccessful.length) console.error(`npm test: the Vitest run of ${unsuccessful.join(', ')} did not succeed (see its output above)`);
if (nx !== 0 && failed === 0) console.error('npm test: a lint, typecheck or test step failed (see above); the counts below are the tests that reported');
console.log(`${passed} passed, ${failed} failed`);
process.exit(nx === 0 ? 0 : 1);

// Diagnosis preload (issue 13): a CPU profile of a whole service process, written when it stops.
//   BENCH_SERVICE_NODE_OPTIONS="--require $PWD/bench/preloads/cpu-profile.cjs" node --import tsx bench/cycle-breakdown.ts
// `--cpu-prof` is refused in NODE_OPTIONS, hence the inspector. Files: <BENCH_PROFILE_DIR or
// tmp/bench/profiles of the workspace>/<app>-<pid>.cpuprofile (open in Chrome DevTools, or summarize with
// bench/preloads/summarize.mjs). Sampling every 200 µs slows the service: compare profiles
// with each other, never a profiled figure with an unprofiled one.
const inspector = require('node:inspector');
const { mkdirSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

// The workspace's tmp/ (this file is bench/preloads/): services run from dist/apps/<app>.
const dir = process.env.BENCH_PROFILE_DIR || join(__dirname, '..', '..', 'tmp', 'bench', 'profiles');
const app = (process.argv[1] || 'node').split('/').slice(-3, -1).join('-') || 'node';
const session = new inspector.Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.setSamplingInterval', { interval: 200 });
session.post('Profiler.start');
let written = false;
const write = () => {
  if (written) return;
  written = true;
  // The inspector answers a same-thread session synchronously: the file exists before exit.
  session.post('Profiler.stop', (error, result) => {
    if (error) return console.error(`cpu-profile preload: ${error.message}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${app}-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
  });
};
process.on('SIGTERM', write);
process.on('exit', write);

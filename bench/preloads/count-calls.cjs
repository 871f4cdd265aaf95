// Diagnosis preload (issue 13): counts every PostgreSQL statement (by its text) and Redis command
// a service process sends, written when it stops — round trips per deployment, before and after.
//   BENCH_SERVICE_NODE_OPTIONS="--require $PWD/bench/preloads/count-calls.cjs" node --import tsx bench/cycle-breakdown.ts
//   node bench/preloads/summarize.mjs calls tmp/bench/profiles 200     # per 200 deployments
// Wraps the pg and ioredis the service resolves from its working directory (the workspace's);
// BullMQ's own nested ioredis is not counted. Files: <BENCH_PROFILE_DIR or
// tmp/bench/profiles of the workspace>/<app>-<pid>.calls.json.
const { mkdirSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

// The workspace's tmp/ (this file is bench/preloads/): services run from dist/apps/<app>.
const dir = process.env.BENCH_PROFILE_DIR || join(__dirname, '..', '..', 'tmp', 'bench', 'profiles');
const app = (process.argv[1] || 'node').split('/').slice(-3, -1).join('-') || 'node';
const counts = {};
const bump = (key) => (counts[key] = (counts[key] || 0) + 1);
const load = (name) => require(require.resolve(name, { paths: [process.cwd()] }));

const pg = load('pg');
const query = pg.Client.prototype.query;
pg.Client.prototype.query = function (config, ...rest) {
  const text = typeof config === 'string' ? config : (config && config.text) || '?';
  bump(`pg ${text.replace(/\s+/g, ' ').slice(0, 80)}`);
  return query.call(this, config, ...rest);
};
const { Redis } = load('ioredis');
const sendCommand = Redis.prototype.sendCommand;
Redis.prototype.sendCommand = function (command, ...rest) {
  bump(`redis ${command.name}`);
  return sendCommand.call(this, command, ...rest);
};

let written = false;
const write = () => {
  if (written) return;
  written = true;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${app}-${process.pid}.calls.json`), JSON.stringify(counts));
};
process.on('SIGTERM', write);
process.on('exit', write);

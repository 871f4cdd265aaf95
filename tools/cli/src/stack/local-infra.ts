import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stopProcess } from '@hypernode/port-inspect';
import { CliError } from '../common.js';
import { findBinary, postgresBinDirs } from './binaries.js';

/** An infra server this run started, and how to stop it. */
export interface StartedInfra {
  name: string;
  stop(): Promise<void>;
}

// Compose keeps PostgreSQL and Redis off the host's ports, so it is no stand-in for local infra.
const DOCKER_HINT = 'or run the whole stack in containers with `docker compose up -d` (set the secrets docker-compose.yml names first)';

function asPostgresUser(command: string, args: string[]): [string, string[]] {
  // PostgreSQL refuses to run as root; on a root shell run it as the "postgres" system user.
  if (process.getuid?.() !== 0) return [command, args];
  const runuser = findBinary('runuser', ['/usr/sbin', '/sbin']);
  if (!runuser) throw new CliError(`PostgreSQL cannot run as root and runuser is missing: start the stack as a normal user, ${DOCKER_HINT}`);
  return [runuser, ['-u', 'postgres', '--', command, ...args]];
}

// Infra started here outlives the command (pg_ctl and redis --daemonize detach into their own
// session): it must not carry the markers a stack is stopped by, or stopping one stack would stop it.
const STACK_MARKERS = ['HYPERNODE_STACK', 'HYPERNODE_WORKSPACE', 'HYPERNODE_NX_RUN'];

function run(command: string, args: string[], what: string): void {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !STACK_MARKERS.includes(k)));
  const result = spawnSync(command, args, { encoding: 'utf8', env });
  if (result.status !== 0) throw new CliError(`${what} failed (${command} ${args.join(' ')}): ${(result.stderr || result.stdout || String(result.error)).trim()}`);
}

/** Starts PostgreSQL from local binaries with its data under `<stateDir>/postgres`, on `port`. */
export function startLocalPostgres(stateDir: string, port: number): StartedInfra {
  const pgCtl = findBinary('pg_ctl', postgresBinDirs());
  if (!pgCtl) {
    throw new CliError(`PostgreSQL is not reachable on localhost:${port} and no PostgreSQL binaries were found. Install them (\`sudo apt-get install postgresql\`, \`brew install postgresql@15\`), ${DOCKER_HINT}`);
  }
  const initdb = join(pgCtl, '..', 'initdb');
  const dataDir = join(stateDir, 'postgres');
  const logFile = join(stateDir, 'postgres.log');
  mkdirSync(dataDir, { recursive: true });
  if (process.getuid?.() === 0) {
    execFileSync('chown', ['-R', 'postgres', dataDir]);
    run('touch', [logFile], 'creating the log');
    execFileSync('chown', ['postgres', logFile]);
  }
  chmodSync(dataDir, 0o700);
  if (process.getuid?.() === 0 && spawnSync(...asPostgresUser('test', ['-w', dataDir])).status !== 0) {
    throw new CliError(`PostgreSQL runs as the "postgres" user, which cannot reach ${dataDir}: let it through the parent folders (chmod o+x on each), run npm start as a normal user, ${DOCKER_HINT}`);
  }
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    run(...asPostgresUser(initdb, ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8']), 'initdb');
  }
  const options = `-p ${port} -c listen_addresses=localhost -k /tmp`;
  run(...asPostgresUser(pgCtl, ['-D', dataDir, '-l', logFile, '-o', options, '-w', '-t', '30', 'start']), `starting PostgreSQL (log: ${logFile})`);
  return { name: 'postgres', stop: async () => stopLocalPostgres(stateDir) };
}

/** Stops the PostgreSQL that startLocalPostgres started in `<stateDir>/postgres` (fast shutdown); a stopped one is left alone. */
export async function stopLocalPostgres(stateDir: string): Promise<void> {
  const pgCtl = findBinary('pg_ctl', postgresBinDirs());
  const dataDir = join(stateDir, 'postgres');
  if (!pgCtl || !existsSync(join(dataDir, 'postmaster.pid'))) return;
  run(...asPostgresUser(pgCtl, ['-D', dataDir, '-m', 'fast', '-w', '-t', '30', 'stop']), 'stopping PostgreSQL');
}

/** Starts redis-server from a local binary, data-less, with its files under `<stateDir>/redis`, on `port`. */
export function startLocalRedis(stateDir: string, port: number): StartedInfra {
  const server = findBinary('redis-server', ['/usr/bin', '/usr/local/bin', '/opt/homebrew/bin']);
  if (!server) {
    throw new CliError(`Redis is not reachable on localhost:${port} and no redis-server binary was found. Install it (\`sudo apt-get install redis-server\`, \`brew install redis\`), ${DOCKER_HINT}`);
  }
  const dir = join(stateDir, 'redis');
  mkdirSync(dir, { recursive: true });
  const pidFile = join(dir, 'redis.pid');
  run(server, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'yes', '--pidfile', pidFile, '--logfile', join(dir, 'redis.log')], 'starting redis-server');
  return { name: 'redis', stop: async () => stopLocalRedis(stateDir, 3_000) };
}

/** Stops the redis-server that startLocalRedis started (its pid file in `<stateDir>/redis`), waiting up to `waitMs` for the pid file. */
export async function stopLocalRedis(stateDir: string, waitMs = 0): Promise<void> {
  const pidFile = join(stateDir, 'redis', 'redis.pid');
  const deadline = Date.now() + waitMs;
  while (!existsSync(pidFile) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (existsSync(pidFile)) await stopProcess(Number(readFileSync(pidFile, 'utf8').trim()), 3_000);
}

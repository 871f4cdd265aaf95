import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { checkService } from '@hypernode/health';
import { isAppKind, listServices, type ResolvedService } from '@hypernode/ports';
import { createTestDatabase, testRedisPrefix } from '@hypernode/testing';
import type { Bench } from '../lib/figure.js';
import { BenchHarnessError, cleanEnv, onInterrupt, sleep, waitFor } from '../lib/processes.js';
import { median } from '../lib/stats.js';
import { TreeCpu } from '../lib/tree-cpu.js';
import { copyWorkspace } from '../lib/workspace-copy.js';

/** Instances 0–3 may hold a running stack; the bench takes the first higher one whose app ports are all free. */
async function freeInstance(): Promise<{ instance: number; apps: ResolvedService[] }> {
  for (let instance = 10; instance < 100; instance++) {
    const apps = listServices({ env: { HYPERNODE_INSTANCE: String(instance) } }).filter((s) => isAppKind(s.kind));
    const states = await Promise.all(apps.map((s) => checkService(s, { timeoutMs: 500 })));
    if (states.every((r) => r.status === 'down')) return { instance, apps };
  }
  throw new BenchHarnessError('no HYPERNODE_INSTANCE from 10 to 99 has every app port free: stop a stack (`npx hypernode ports check`)');
}

/** One timed start: wall time to every app healthy, when each one was, and the CPU its process tree spent until then. */
interface Started {
  ms: number;
  /** ms from spawn to each app's first healthy answer. */
  upAt: Map<string, number>;
  cpuS: number | undefined;
}

/**
 * Starts `command` in the workspace copy as its own process group, waits (bounded) until every
 * service in `apps` answers its health check, then stops the group and waits until their ports
 * are free again. Returns the wall time from spawn to all healthy, ms, and the CPU seconds its
 * process tree spent until then.
 */
async function timeToHealthy(what: string, dir: string, command: string[], env: NodeJS.ProcessEnv, apps: ResolvedService[], logFile: string): Promise<Started> {
  const fd = openSync(logFile, 'a');
  const started = performance.now();
  const child = spawn(command[0]!, command.slice(1), { cwd: dir, env: { ...cleanEnv(), ...env }, stdio: ['ignore', fd, fd], detached: true });
  closeSync(fd);
  let exited: string | undefined;
  const exit = new Promise<void>((r) => child.once('exit', (code, signal) => r(void (exited = String(code ?? signal)))));
  child.on('error', () => undefined);
  const cpu = new TreeCpu(child.pid!);
  const upAt = new Map<string, number>();
  const group = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // the group is gone already
    }
  };
  const forget = onInterrupt(async () => {
    group('SIGTERM');
    await Promise.race([exit, sleep(20_000)]);
    group('SIGKILL');
  });
  try {
    await waitFor(
      `${what}: ${apps.map((a) => a.name).join(', ')} healthy (log ${logFile})`,
      async () => {
        if (exited !== undefined) throw new BenchHarnessError(`${what} exited with ${exited} before every app was healthy (log ${logFile})`);
        cpu.sample();
        const waiting = apps.filter((a) => !upAt.has(a.name));
        const states = await Promise.all(waiting.map((s) => checkService(s, { timeoutMs: 1000 })));
        states.forEach((r, i) => r.status === 'up' && upAt.set(waiting[i]!.name, performance.now() - started));
        if (upAt.size < apps.length) return false;
        // Every app answered once: all of them at the same moment counts (one that crashed after its first answer does not).
        const all = await Promise.all(apps.map((s) => checkService(s, { timeoutMs: 1000 })));
        if (all.every((r) => r.status === 'up')) return true;
        all.forEach((r, i) => r.status !== 'up' && upAt.delete(apps[i]!.name));
        return false;
      },
      240_000,
      100,
    );
    const ms = performance.now() - started;
    cpu.sample();
    return { ms, upAt, cpuS: cpu.seconds() };
  } finally {
    group('SIGTERM');
    const killer = setTimeout(() => group('SIGKILL'), 20_000);
    await exit;
    clearTimeout(killer);
    // Children of the group may outlive its leader by a moment; the next start needs the ports.
    await waitFor(`${what}: app ports free again`, async () => (await Promise.all(apps.map((s) => checkService(s, { timeoutMs: 500 })))).every((r) => r.status === 'down'), 30_000, 200).catch(async (error) => {
      group('SIGKILL');
      await sleep(500);
      throw error;
    });
    forget();
  }
}

/**
 * Cold start: `npm start` (`hypernode up`: infra check, then every app through Nx) until every
 * app answers its health check, beside the slowest app started alone the same way
 * (`nx run <app>:serve`, its infra dependency included), in a copy of the workspace on a free
 * instance, its own `hn_test_` database and Redis prefix. Round 1 times every app alone to find
 * the slowest; later rounds alternate `npm start` with that one.
 */
export const coldStartBench: Bench = {
  name: 'cold-start',
  description: 'npm start → every app healthy vs the slowest app started alone (in a copy of the workspace)',
  async run({ smoke, rounds, logDir, log }) {
    mkdirSync(logDir, { recursive: true });
    const copy = copyWorkspace();
    const db = await createTestDatabase();
    const redis = testRedisPrefix();
    try {
      const { instance, apps } = await freeInstance();
      const env = { HYPERNODE_INSTANCE: String(instance), DATABASE_URL: db.url, REDIS_URL: redis.url, HYPERNODE_REDIS_PREFIX: redis.prefix };
      const nx = join(copy.dir, 'node_modules', '.bin', 'nx');
      const up = async (round: number) => timeToHealthy('npm start', copy.dir, ['npm', 'start'], env, apps, join(logDir, `cold-start-up-${round}.log`));
      const alone = async (app: ResolvedService, round: number) => timeToHealthy(`nx run ${app.name}:serve`, copy.dir, [nx, 'run', `${app.name}:serve`, '--outputStyle=static'], { ...env, NX_DAEMON: 'false', NX_TUI: 'false' }, [app], join(logDir, `cold-start-${app.name}-${round}.log`));
      log(`cold-start: workspace copy ${copy.dir}, instance ${instance}; ${rounds} round(s)`);
      const upRuns = [await up(0)];
      // Round 1: every app alone (smoke: the api only), to find the slowest.
      const firstAlone = new Map<string, Started>();
      for (const app of smoke ? apps.filter((a) => a.name === 'api') : apps) firstAlone.set(app.name, await alone(app, 0));
      const [slowestName] = [...firstAlone.entries()].sort((a, b) => b[1].ms - a[1].ms)[0]!;
      const slowest = apps.find((a) => a.name === slowestName)!;
      const aloneLine = [...firstAlone.entries()].map(([n, r]) => `${n} ${(r.ms / 1000).toFixed(1)} s`).join(', ');
      log(`cold-start: alone ${aloneLine}; slowest ${slowestName}`);
      const aloneRuns = [firstAlone.get(slowestName)!];
      for (let r = 1; r < rounds; r++) {
        upRuns.push(await up(r));
        aloneRuns.push(await alone(slowest, r));
      }
      const upSamples = upRuns.map((r) => r.ms);
      const aloneSamples = aloneRuns.map((r) => r.ms);
      // The CPU both spent until healthy: on this many cores, CPU ÷ cores is a floor under the wall time.
      const cores = availableParallelism();
      const cpuOf = (runs: Started[]) => {
        const known = runs.map((r) => r.cpuS).filter((c): c is number => c !== undefined);
        return known.length > 0 ? median(known) : undefined;
      };
      const [upCpu, aloneCpu] = [cpuOf(upRuns), cpuOf(aloneRuns)];
      const order = [...upRuns.at(-1)!.upAt.entries()].sort((a, b) => a[1] - b[1]).map(([n, ms]) => `${n} ${(ms / 1000).toFixed(1)} s`).join(', ');
      const cpuNote =
        upCpu !== undefined && aloneCpu !== undefined
          ? `; CPU until healthy (process trees, medians): npm start ${upCpu.toFixed(1)} s, ${slowestName} alone ${aloneCpu.toFixed(1)} s — on ${cores} cores npm start cannot be healthy before ${(upCpu / cores).toFixed(1)} s (CPU ÷ cores), and the target (${((1.3 * median(aloneSamples)) / 1000).toFixed(1)} s) needs ≤ ${((1.3 * median(aloneSamples) * cores) / 1000).toFixed(0)} CPU-s`
          : '';
      log(`cold-start: last npm start, each app healthy at: ${order}${cpuNote}`);
      return [
        { name: 'npm start → every app healthy', unit: 'ms', ours: { samples: upSamples, median: median(upSamples) }, baseline: { name: `${slowestName} alone (slowest)`, samples: aloneSamples, median: median(aloneSamples) }, target: { on: 'ratio', op: '<=', value: 1.3 }, note: `apps alone in round 1: ${aloneLine}; last npm start, healthy at: ${order}${cpuNote}; instance ${instance} in a copy of the workspace` },
      ];
    } finally {
      await db.drop().catch(() => undefined);
      await redis.cleanup().catch(() => undefined);
      copy.remove();
    }
  },
};

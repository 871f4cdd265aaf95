import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLogQuery } from '../src/log-query.js';
import { Supervisor } from '../src/supervisor.js';
import { fixtureSpec, freePort, portHolder, until } from './helpers.js';

describe('Supervisor with real child processes', () => {
  let supervisor: Supervisor;
  let portA: number;
  let portB: number;

  beforeAll(async () => {
    portA = await freePort();
    portB = await freePort();
    const exitFromOutput = (text: string) => {
      const match = /^\S+:serve exited with code (\d+)/.exec(text);
      return match ? { code: Number(match[1]), signal: null } : undefined;
    };
    supervisor = new Supervisor({ services: [fixtureSpec('alpha', portA), fixtureSpec('beta', portB, { READY_FAIL: '1' })], probeMs: 200, sampleMs: 300, stopGraceMs: 3_000, portHolder, exitFromOutput });
    await supervisor.startAll();
  });
  afterAll(async () => {
    await supervisor?.stopAll();
  });

  it('goes starting → ready; a /ready 503 shows unhealthy naming the dependency', async () => {
    expect(['starting', 'ready']).toContain(supervisor.service('alpha').state);
    await until('alpha ready', 10_000, () => supervisor.service('alpha').state === 'ready');
    const beta = await until('beta unhealthy', 10_000, () => (supervisor.service('beta').state === 'unhealthy' ? supervisor.service('beta') : undefined));
    expect(beta.dependency).toBe('redis');
    expect(beta.detail).toMatch(/waits on redis \(connect ECONNREFUSED\)/);
    const alpha = supervisor.service('alpha');
    expect(alpha.pid).toBeGreaterThan(0);
    expect(alpha.startedAt).not.toBeNull();
    const memory = await until('cpu/memory sampled', 5_000, () => supervisor.service('alpha').memoryBytes ?? undefined);
    expect(memory).toBeGreaterThan(1_000_000);
    expect(supervisor.service('alpha').cpuPercent).toBeGreaterThanOrEqual(0);
    expect(alpha.errorCount).toBeGreaterThanOrEqual(1);
    expect(alpha.warnCount).toBeGreaterThanOrEqual(2); // the pino warning and the stderr line
  });

  it('captures stdout and stderr parsed, tagged with the run', async () => {
    const page = supervisor.logs.query(parseLogQuery({ services: 'alpha' }, supervisor.names()));
    const messages = page.lines.map((l) => l.message);
    expect(messages).toContain('plain hello from alpha');
    const stderr = page.lines.find((l) => l.stream === 'stderr')!;
    expect(stderr).toMatchObject({ level: 'warn', message: 'alpha stderr line without a level', run: 0 });
    expect(page.lines.find((l) => l.message === 'alpha something failed')).toMatchObject({ level: 'error', traceId: 'abc123', fields: { err: { message: 'boom' } } });
  });

  it('shows a crash within 2 s with its exit code, stays crashed, and a restart runs it again keeping the previous run', async () => {
    await fetch(`http://127.0.0.1:${portA}/exit`).then((r) => r.text());
    const started = Date.now();
    const crashed = await until('alpha crashed', 2_000, () => (supervisor.service('alpha').state === 'crashed' ? supervisor.service('alpha') : undefined));
    console.log(`crash seen after ${Date.now() - started} ms`);
    expect(crashed).toMatchObject({ exitCode: 3, exitSignal: null, pid: null, restarts: 0 });
    expect(crashed.detail).toMatch(/exited with code 3/);
    await new Promise((r) => setTimeout(r, 600));
    expect(supervisor.service('alpha').state).toBe('crashed');

    const after = await supervisor.act('alpha', 'restart');
    expect(after).toMatchObject({ state: 'starting', restarts: 1, exitCode: null });
    await until('alpha ready again', 10_000, () => supervisor.service('alpha').state === 'ready');
    // A wrapper (Nx) that exits 1 after printing its app's exit: the app's code is reported.
    await fetch(`http://127.0.0.1:${portA}/wrapped-exit`).then((r) => r.text());
    const wrapped = await until('alpha crashed again', 2_000, () => (supervisor.service('alpha').state === 'crashed' ? supervisor.service('alpha') : undefined));
    expect(wrapped).toMatchObject({ exitCode: 7, exitSignal: null, restarts: 1 });
    await supervisor.act('alpha', 'start');
    await until('alpha ready a third time', 10_000, () => supervisor.service('alpha').state === 'ready');
    const runs = new Set(supervisor.logs.query(parseLogQuery({ services: 'alpha', q: 'listening on' }, supervisor.names())).lines.map((l) => l.run));
    expect([...runs].sort()).toEqual([0, 1, 2]);
  });

  it('stop sends SIGTERM to the group and frees the port; a second stop is refused; start runs it again', async () => {
    expect(portHolder(portB)).toBeDefined();
    const stopped = await supervisor.act('beta', 'stop');
    expect(stopped).toMatchObject({ state: 'stopped', pid: null });
    expect(portHolder(portB)).toBeUndefined();
    expect(supervisor.logs.query(parseLogQuery({ services: 'beta', q: 'got SIGTERM' }, supervisor.names())).lines).toHaveLength(1);
    await expect(supervisor.act('beta', 'stop')).rejects.toMatchObject({ statusCode: 409, message: expect.stringMatching(/already stopped: start it with POST \/services\/beta\/start/) });
    await expect(supervisor.act('nope', 'start')).rejects.toMatchObject({ statusCode: 404, message: expect.stringMatching(/use one of alpha, beta/) });
    const started = await supervisor.act('beta', 'start');
    expect(started).toMatchObject({ state: 'starting', restarts: 1 });
    await expect(supervisor.act('beta', 'start')).rejects.toMatchObject({ statusCode: 409 });
    await until('beta listening', 10_000, () => portHolder(portB));
  });
});

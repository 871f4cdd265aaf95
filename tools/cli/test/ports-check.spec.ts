import { afterEach, describe, expect, it } from 'vitest';
import { holdPort, hypernode, tempRegistry, type Holder } from './helpers.js';

const holders: Holder[] = [];
const cleanups: Array<() => void> = [];
afterEach(async () => {
  await Promise.all(holders.splice(0).map((h) => h.stop()));
  cleanups.splice(0).forEach((c) => c());
});

const entry = (name: string, port: number, required = true) => ({ name, port, kind: 'infra', purpose: 'test holder', health: { type: 'redis' }, required });

describe('hypernode ports check', () => {
  it.each(['127.0.0.1', '::1', '0.0.0.0', '::'])('names the pid of a child listening on %s', async (host) => {
    const holder = await holdPort(host);
    holders.push(holder);
    const registry = tempRegistry([entry('held', holder.port)]);
    cleanups.push(registry.cleanup);
    const result = await hypernode(['ports', 'check', '--json', '--registry', registry.file]);
    const [row] = JSON.parse(result.stdout) as Array<{ name: string; state: string; holders: Array<{ pid: number; address: string }> }>;
    expect(row).toMatchObject({ name: 'held', state: 'foreign' });
    expect(row!.holders.map((h) => h.pid)).toContain(holder.pid);
    expect(result.code).toBe(1);
  });

  it('exits 0 when every port is free or held only by an optional service', async () => {
    const holder = await holdPort('127.0.0.1');
    holders.push(holder);
    const registry = tempRegistry([entry('optional', holder.port, false)]);
    cleanups.push(registry.cleanup);
    const result = await hypernode(['ports', 'check', '--registry', registry.file]);
    expect(result.stdout).toContain('HELD BY ANOTHER PROCESS');
    expect(result.stdout).toContain(`pid ${holder.pid}`);
    expect(result.code).toBe(0);
  });

  it('reports a broken registry file with every problem and its path', async () => {
    const registry = tempRegistry([entry('Bad Name', 80), { name: 'x' }]);
    cleanups.push(registry.cleanup);
    const result = await hypernode(['ports', '--registry', registry.file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${registry.file}: services[0].name: bad name`);
    expect(result.stderr).toContain(`${registry.file}: services[0].port: port 80`);
    expect(result.stderr).toContain(`${registry.file}: services[1].port: missing field "port"`);
  });

  it('rejects bad --profile and --instance values by name', async () => {
    expect((await hypernode(['ports', '--profile', 'qa'])).stderr).toMatch(/--profile="qa" is not valid: expected one of development, staging, production/);
    expect((await hypernode(['ports', '--instance', 'x'])).stderr).toMatch(/--instance="x" is not valid: expected a whole number 0–99/);
    const env = await hypernode(['ports'], { API_PORT: 'abc' });
    expect(env.code).toBe(1);
    expect(env.stderr).toMatch(/API_PORT="abc" is not valid/);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { findListeners, isAlive } from '@hypernode/port-inspect';
import { freePort, holdPort, hypernode, ROOT, run, type Holder } from './helpers.js';

const holders: Holder[] = [];
afterEach(async () => {
  await Promise.all(holders.splice(0).map((h) => h.stop()));
});

describe('a service whose port is taken', () => {
  it('api exits non-zero with ONE line naming the holder and the fix; `ports free` frees it', async () => {
    const holder = await holdPort('::1', await freePort(), ROOT, { marker: true });
    holders.push(holder);
    const api = await run(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: `${ROOT}/apps/api`, env: { API_PORT: String(holder.port), HYPERNODE_STACK: '' } });
    expect(api.code).not.toBe(0);
    const lines = api.stderr.trim().split('\n');
    expect(lines, api.stderr).toHaveLength(1);
    expect(lines[0]).toContain(`api cannot start: port ${holder.port} is already in use by pid ${holder.pid}`);
    expect(lines[0]).toContain(`cwd ${ROOT}`);
    expect(lines[0]).toContain(`npx hypernode ports free ${holder.port}`);
    expect(lines[0]).toContain('API_PORT=');
    expect(api.stdout).not.toContain('ready');

    const freed = await hypernode(['ports', 'free', String(holder.port), '--yes']);
    expect(freed.stdout).toContain(`pid ${holder.pid}: stopped`);
    expect(freed.code).toBe(0);
    expect(isAlive(holder.pid)).toBe(false);
    expect(findListeners([holder.port]).has(holder.port)).toBe(false);
  });

  it('`ports free` refuses a process outside the workspace unless --force', async () => {
    const holder = await holdPort('127.0.0.1', 0, '/tmp');
    holders.push(holder);
    const refused = await hypernode(['ports', 'free', String(holder.port), '--yes']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(new RegExp(`pid ${holder.pid} .*not part of this workspace.*add --force`));
    expect(isAlive(holder.pid)).toBe(true);
    const forced = await hypernode(['ports', 'free', String(holder.port), '--yes', '--force']);
    expect(forced.code).toBe(0);
    expect(isAlive(holder.pid)).toBe(false);
  });

  it('`ports free` kills a holder that ignores SIGTERM once the grace period passes', async () => {
    const holder = await holdPort('127.0.0.1', 0, ROOT, { ignoreSigterm: true, marker: true });
    holders.push(holder);
    const result = await hypernode(['ports', 'free', String(holder.port), '--yes', '--grace', '300']);
    expect(result.stdout).toContain(`pid ${holder.pid}: did not exit within 300 ms of SIGTERM; killed`);
    expect(result.code).toBe(0);
    expect(isAlive(holder.pid)).toBe(false);
  });

  it('`ports free` without --yes and without a terminal asks for --yes instead of acting', async () => {
    const holder = await holdPort('127.0.0.1', 0, ROOT, { marker: true });
    holders.push(holder);
    const result = await hypernode(['ports', 'free', String(holder.port)]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('add --yes');
    expect(isAlive(holder.pid)).toBe(true);
  });

  it('`ports free` of a free port or an unknown service says so', async () => {
    const port = await freePort();
    expect((await hypernode(['ports', 'free', String(port), '--yes'])).stdout).toContain(`port ${port} is already free`);
    const unknown = await hypernode(['ports', 'free', 'billing', '--yes']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('"billing" is neither a port number nor a service in the registry');
  });
});

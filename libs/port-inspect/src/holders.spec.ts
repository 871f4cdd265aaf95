import { describe, expect, it } from 'vitest';
import { classifyPorts } from './classify.js';
import { belongsToWorkspace, describeHolder, serviceOfHolder, workspaceMembership } from './holders.js';
import type { ListenerMap } from './types.js';

const root = '/srv/hypernode';

describe('holders', () => {
  it('describes a holder with pid, command and cwd', () => {
    expect(describeHolder({ port: 3002, address: '::', pid: 42, command: 'node main.ts', cwd: '/tmp/x' })).toBe('pid 42 (node main.ts; cwd /tmp/x)');
    expect(describeHolder({ port: 3002, address: '::' })).toMatch(/unknown process on ::/);
  });

  it('counts a process as the workspace\'s by its marker, or by executable AND cwd inside — never by its arguments', () => {
    const at = { port: 1, address: '::', pid: 1 };
    expect(workspaceMembership({ ...at, workspace: root, executable: '/usr/bin/node', cwd: '/' }, root)).toBe('marker');
    expect(workspaceMembership({ ...at, workspace: `${root}/`, executable: '/usr/bin/node', cwd: '/' }, root)).toBe('marker');
    expect(workspaceMembership({ ...at, executable: `${root}/node_modules/@esbuild/linux-x64/bin/esbuild`, cwd: `${root}/apps/site` }, root)).toBe('executable-and-cwd');
    expect(belongsToWorkspace({ ...at, workspace: '/srv/hypernode-other', cwd: `${root}/apps/api` }, root)).toBe(false);
    expect(belongsToWorkspace({ ...at, executable: '/usr/bin/node', cwd: `${root}/apps/api` }, root)).toBe(false);
    expect(belongsToWorkspace({ ...at, executable: `${root}/bin/tool`, cwd: '/home/me' }, root)).toBe(false);
    expect(belongsToWorkspace({ ...at, executable: '/srv/hypernode-other/bin/x', cwd: '/srv/hypernode-other' }, root)).toBe(false);
    const lookAlike = `python3 -m http.server 9 --directory /srv/other${root}/public`;
    expect(belongsToWorkspace({ ...at, command: lookAlike, executable: '/usr/bin/python3.11', cwd: '/srv/other' }, root)).toBe(false);
    expect(belongsToWorkspace({ ...at, command: `node ${root}/apps/api/src/main.ts`, executable: '/usr/bin/node', cwd: '/' }, root)).toBe(false);
  });

  it('recognises which service a holder is', () => {
    expect(serviceOfHolder({ port: 1, address: '::', service: 'api' }, root)).toBe('api');
    expect(serviceOfHolder({ port: 1, address: '::', cwd: `${root}/apps/gpu-worker` }, root)).toBe('gpu-worker');
    expect(serviceOfHolder({ port: 1, address: '::', cwd: '/', command: 'node apps/site/serve.ts' }, root)).toBe('site');
    expect(serviceOfHolder({ port: 1, address: '::', cwd: '/home/me' }, root)).toBeUndefined();
  });

  it('classifies ports as free, expected or foreign', () => {
    const services = [
      { name: 'api', port: 3002, required: true, health: { type: 'http' } },
      { name: 'site', port: 3000, required: true, health: { type: 'http' } },
      { name: 'postgres', port: 5432, required: true, health: { type: 'postgres' } },
      { name: 'realtime', port: 3003, required: true, health: { type: 'http' } },
    ];
    const listeners: ListenerMap = new Map([
      [3002, [{ port: 3002, address: '::', pid: 10, service: 'api' }]],
      [3000, [{ port: 3000, address: '127.0.0.1', pid: 11, command: 'python3 -m http.server 3000', cwd: '/home/me' }]],
      [5432, [{ port: 5432, address: '127.0.0.1', pid: 12, command: '/usr/lib/postgresql/15/bin/postgres -D /var/lib/pg' }]],
    ]);
    const states = classifyPorts(services, listeners, root).map((c) => [c.name, c.state]);
    expect(states).toEqual([
      ['api', 'expected'],
      ['site', 'foreign'],
      ['postgres', 'expected'],
      ['realtime', 'free'],
    ]);
  });
});

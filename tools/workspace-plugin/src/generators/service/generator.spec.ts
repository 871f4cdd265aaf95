import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { parseRegistry, REGISTRY_RELATIVE_PATH } from '@hypernode/ports';
import removeServiceGenerator from '../remove-service/generator';
import serviceNamesGenerator, { SERVICE_NAMES_PATH } from '../service-names/generator';
import serviceGenerator from './generator';

const root = resolve(__dirname, '../../../../..');
let tree: Tree;

beforeEach(() => {
  tree = createTreeWithEmptyWorkspace();
  tree.write(REGISTRY_RELATIVE_PATH, readFileSync(resolve(root, REGISTRY_RELATIVE_PATH), 'utf8'));
  tree.write(SERVICE_NAMES_PATH, readFileSync(resolve(root, SERVICE_NAMES_PATH), 'utf8'));
});

const registry = () => parseRegistry(tree.read(REGISTRY_RELATIVE_PATH, 'utf8')!, REGISTRY_RELATIVE_PATH).services;
const entryOf = (name: string) => registry().find((s) => s.name === name);

describe('service generator', () => {
  it('creates an http app and claims the next free port of 3000–3999', async () => {
    const taken = new Set(registry().map((s) => s.port));
    let expected = Math.min(...registry().filter((s) => s.kind === 'http').map((s) => s.port));
    while (taken.has(expected)) expected++;
    await serviceGenerator(tree, { name: 'billing', kind: 'http', skipInstall: true });
    expect(entryOf('billing')).toEqual({ name: 'billing', port: expected, kind: 'http', purpose: 'HTTP service (Fastify)', health: { type: 'http', path: '/health' }, required: true, route: '/billing/' });
    expect(JSON.parse(tree.read('apps/billing/project.json', 'utf8')!)).toMatchObject({ name: 'billing', tags: ['type:app', 'scope:backend'] });
    const main = tree.read('apps/billing/src/main.ts', 'utf8')!;
    expect(main).toContain("serviceMain('billing'");
    expect(main).not.toMatch(/\b\d{4}\b/);
    expect(tree.read('apps/billing/src/app.ts', 'utf8')).toContain("app.get('/ready'");
    expect(tree.read(SERVICE_NAMES_PATH, 'utf8')).toContain("'billing'");
  });

  it('gives a worker the next free port after the existing workers (gpu-worker 8080 → 8081)', async () => {
    await serviceGenerator(tree, { name: 'gpu-worker-2', kind: 'worker', skipInstall: true });
    expect(entryOf('gpu-worker-2')!.port).toBe(entryOf('gpu-worker')!.port + 1);
  });

  it('creates a Vite + React frontend checked on its page', async () => {
    await serviceGenerator(tree, { name: 'admin', kind: 'frontend', skipInstall: true });
    expect(entryOf('admin')).toMatchObject({ kind: 'frontend', health: { type: 'http', path: '/' } });
    // The registry Vite plugin gives it the port (strict), the refusal naming a holder and /config.js.
    expect(tree.read('apps/admin/vite.config.ts', 'utf8')).toContain("registryVitePlugin({ service: 'admin' })");
    expect(tree.read('apps/admin/serve.ts', 'utf8')).toContain("serviceMain('admin'");
    expect(tree.read('apps/admin/server/main.ts', 'utf8')).toContain("buildSiteServer({ service: 'admin'");
    expect(tree.exists('apps/admin/src/app.tsx')).toBe(true);
    expect(JSON.parse(tree.read('apps/admin/project.json', 'utf8')!).tags).toEqual(['type:app', 'scope:frontend']);
  });

  it('claims --port when free and refuses a claimed, reserved or out-of-range one with the holder and the fix', async () => {
    await serviceGenerator(tree, { name: 'billing', kind: 'http', port: 3500, skipInstall: true });
    expect(entryOf('billing')!.port).toBe(3500);
    const api = entryOf('api')!.port;
    await expect(serviceGenerator(tree, { name: 'other', kind: 'http', port: api, skipInstall: true })).rejects.toThrow(`port ${api} is already claimed by "api" in ${REGISTRY_RELATIVE_PATH}; omit --port to take the next free one`);
    await expect(serviceGenerator(tree, { name: 'other', kind: 'worker', port: entryOf('solana')!.port, skipInstall: true })).rejects.toThrow(/already claimed by "solana"/);
    await expect(serviceGenerator(tree, { name: 'other', kind: 'worker', port: 3600, skipInstall: true })).rejects.toThrow(/--port 3600 is outside the worker range 8000–8999/);
    expect(tree.exists('apps/other')).toBe(false);
  });

  it('refuses a used or invalid name, changing nothing', async () => {
    const before = tree.read(REGISTRY_RELATIVE_PATH, 'utf8');
    await expect(serviceGenerator(tree, { name: 'api', kind: 'http', skipInstall: true })).rejects.toThrow(/"api" is already a service .*remove-service api/);
    await expect(serviceGenerator(tree, { name: 'Billing_API', kind: 'http', skipInstall: true })).rejects.toThrow(/"Billing_API" is not a valid service name/);
    tree.write('apps/leftover/README.md', 'x');
    await expect(serviceGenerator(tree, { name: 'leftover', kind: 'http', skipInstall: true })).rejects.toThrow(/apps\/leftover already exists/);
    expect(tree.read(REGISTRY_RELATIVE_PATH, 'utf8')).toBe(before);
  });
});

describe('remove-service generator', () => {
  it('deletes the app, releases its port for the next service, and syncs the names', async () => {
    await serviceGenerator(tree, { name: 'billing', kind: 'http', skipInstall: true });
    const port = entryOf('billing')!.port;
    await removeServiceGenerator(tree, { name: 'billing', skipInstall: true });
    expect(entryOf('billing')).toBeUndefined();
    expect(tree.exists('apps/billing')).toBe(false);
    expect(tree.read(SERVICE_NAMES_PATH, 'utf8')).not.toContain("'billing'");
    await serviceGenerator(tree, { name: 'invoices', kind: 'http', skipInstall: true });
    expect(entryOf('invoices')!.port).toBe(port);
  });

  it('refuses unknown services and infra', async () => {
    await expect(removeServiceGenerator(tree, { name: 'nope', skipInstall: true })).rejects.toThrow(/"nope" is not in libs\/ports\/registry.json: it lists site/);
    await expect(removeServiceGenerator(tree, { name: 'postgres', skipInstall: true })).rejects.toThrow(/"postgres" is infra, not an app/);
  });
});

describe('service-names sync generator', () => {
  it('is quiet when in sync and reports drift with the fix', async () => {
    expect(await serviceNamesGenerator(tree)).toBeUndefined();
    tree.write(SERVICE_NAMES_PATH, '// stale\n');
    expect(await serviceNamesGenerator(tree)).toEqual({ outOfSyncMessage: expect.stringContaining('run `npx nx sync`') });
    expect(tree.read(SERVICE_NAMES_PATH, 'utf8')).toContain('export type ServiceName');
  });
});

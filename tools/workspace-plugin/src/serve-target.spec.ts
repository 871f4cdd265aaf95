import { isAbsolute, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listServices } from '@hypernode/ports';
import { serveArgs } from './executors/serve/executor.js';
import { serveTarget, WORKSPACE_MARKER_ENV } from './serve-target.js';

const root = resolve(__dirname, '../../..');
const api = listServices({ env: {} }).find((s) => s.name === 'api')!;

describe('serve target', () => {
  it('carries the stack marker: the absolute workspace root, so `ports free` recognises the app', () => {
    const target = serveTarget(root, 'apps/api', api)!;
    expect(target.options.env).toEqual({ HYPERNODE_SERVICE: 'api', [WORKSPACE_MARKER_ENV]: root });
    expect(isAbsolute(target.options.env[WORKSPACE_MARKER_ENV])).toBe(true);
    expect(WORKSPACE_MARKER_ENV).toBe('HYPERNODE_WORKSPACE');
  });

  it("runs a frontend's dev server without the tracing preload, a Node service with it when an endpoint is set", () => {
    const site = listServices({ env: {} }).find((s) => s.name === 'site')!;
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318' };
    const envOf = (target: ReturnType<typeof serveTarget>) => ({ ...endpoint, ...target!.options.env });
    expect(serveArgs('serve.ts', envOf(serveTarget(root, 'apps/site', site)))).toEqual(['--import', 'tsx', 'serve.ts']);
    expect(serveArgs('src/main.ts', envOf(serveTarget(root, 'apps/api', api)))).toContain('@hypernode/telemetry/preload');
  });

  it('runs a Node app from its bundle, a frontend dev-server script through tsx', () => {
    const site = listServices({ env: {} }).find((s) => s.name === 'site')!;
    expect(serveTarget(root, 'apps/api', api)!.options.bundle).toBe(true);
    expect(serveTarget(root, 'apps/site', site)!.options.bundle).toBeUndefined();
  });

  it('has no serve target for a project with no entry file', () => {
    expect(serveTarget(root, 'libs/ports', api)).toBeUndefined();
  });
});

import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireSlot, releaseSlot } from '@hypernode/instances';
import { serveArgs, serveEnv } from './executor';
import { describeFailure, recordServeFailure, takeServeFailures } from './failures';

const root = mkdtempSync(join(tmpdir(), 'hn-serve-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('serve executor environment', () => {
  it('fills a variable from its secret file only when the environment does not set it', () => {
    mkdirSync(join(root, '.hypernode'), { recursive: true });
    writeFileSync(join(root, '.hypernode', 'join-token'), 'hnj_fromfile\n');
    const options = { entry: 'src/main.ts', cwd: 'apps/gpu-worker', env: { HYPERNODE_SERVICE: 'gpu-worker' }, secretFiles: { HYPERNODE_JOIN_TOKEN: '.hypernode/join-token' } };
    expect(serveEnv(root, options, {}).HYPERNODE_JOIN_TOKEN).toBe('hnj_fromfile');
    expect(serveEnv(root, options, { HYPERNODE_JOIN_TOKEN: 'hnj_explicit' }).HYPERNODE_JOIN_TOKEN).toBe('hnj_explicit');
    expect(serveEnv(root, { ...options, secretFiles: { HYPERNODE_JOIN_TOKEN: '.hypernode/missing' } }, {}).HYPERNODE_JOIN_TOKEN).toBeUndefined();
    expect(serveEnv(root, options, {}).HYPERNODE_SERVICE).toBe('gpu-worker');
  });
});

describe('serve executor tracing preload', () => {
  it('adds the OpenTelemetry preload only when an OTLP endpoint is set', () => {
    expect(serveArgs('src/main.ts', {})).toEqual(['--import', 'tsx', 'src/main.ts']);
    expect(serveArgs('src/main.ts', { OTEL_EXPORTER_OTLP_ENDPOINT: '' })).toEqual(['--import', 'tsx', 'src/main.ts']);
    expect(serveArgs('src/main.ts', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318' })).toEqual(['--import', 'tsx', '--import', '@hypernode/telemetry/preload', 'src/main.ts']);
    expect(serveArgs('src/main.ts', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318', OTEL_SDK_DISABLED: 'true' })).toEqual(['--import', 'tsx', 'src/main.ts']);
  });
});

describe('serve executor instance', () => {
  it('runs the app as the instance this checkout leased (a bare nx run-many: cli:infra leased it); an explicit HYPERNODE_INSTANCE wins', async () => {
    const home = join(root, 'home');
    const options = { entry: 'src/main.ts', cwd: 'apps/api' };
    expect(serveEnv(root, options, { HYPERNODE_HOME: home }).HYPERNODE_INSTANCE).toBeUndefined();
    const { lease } = await acquireSlot({ file: join(home, 'instances.json'), path: root, pinned: 7 });
    try {
      expect(serveEnv(root, options, { HYPERNODE_HOME: home }).HYPERNODE_INSTANCE).toBe('7');
      expect(serveEnv(root, options, { HYPERNODE_HOME: home, HYPERNODE_INSTANCE: '3' }).HYPERNODE_INSTANCE).toBe('3');
      expect(serveEnv(join(root, 'elsewhere'), options, { HYPERNODE_HOME: home }).HYPERNODE_INSTANCE).toBeUndefined();
    } finally {
      await releaseSlot(lease, join(home, 'instances.json'));
    }
  });
});

describe('serve failure records', () => {
  it('are taken by their own Nx run only, once', () => {
    recordServeFailure(root, { run: 'run-a', task: 'api:serve', code: 1, signal: null, at: Date.now() });
    recordServeFailure(root, { run: 'run-b', task: 'realtime:serve', code: null, signal: 'SIGKILL', at: Date.now() });
    const a = takeServeFailures(root, 'run-a');
    expect(a.map(describeFailure)).toEqual(['api:serve exited with code 1 (see its output above)']);
    expect(takeServeFailures(root, 'run-a')).toEqual([]);
    expect(takeServeFailures(root, 'run-b').map(describeFailure)).toEqual(['realtime:serve exited with signal SIGKILL (see its output above)']);
  });
});

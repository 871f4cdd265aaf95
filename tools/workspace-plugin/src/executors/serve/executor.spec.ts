import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { serveEnv } from './executor';
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

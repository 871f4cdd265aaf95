import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseRegistry } from './registry.js';
import { DEFAULT_SCALE, mebibytes, nodeFlags, scaleOf } from './scale.js';
import { serializeRegistry } from './serialize.js';
import { validateRegistry } from './validate.js';

const scale = (over: Record<string, unknown> = {}) => ({ canScale: true, replicas: { staging: [1, 2], production: [2, 6] }, requests: { cpu: '100m', memory: '128Mi' }, memoryLimit: '256Mi', ...over });
const app = (s: unknown, over: Record<string, unknown> = {}) => ({ name: 'api', port: 3002, kind: 'http', purpose: 'REST API', health: { type: 'http', path: '/health' }, required: true, scale: s, ...over });
const problemsOf = (entry: unknown) => validateRegistry({ services: [entry] }).problems;

describe('registry scale', () => {
  it('accepts replicas per profile, requests and a memory limit', () => {
    expect(problemsOf(app(scale()))).toEqual([]);
    expect(validateRegistry({ services: [app(scale())] }).services[0]!.scale).toEqual(scale());
  });

  it('gives an app without "scale" one small replica that may not be copied', () => {
    const { services, problems } = validateRegistry({ services: [app(undefined)] });
    expect(problems).toEqual([]);
    expect(scaleOf(services[0]!)).toEqual(DEFAULT_SCALE);
    expect(DEFAULT_SCALE.canScale).toBe(false);
  });

  it('caps a replica\'s V8 old generation at 60 % of its memory limit (the default scale for an app without one)', () => {
    const flagsOf = (s: ReturnType<typeof scale> | undefined) => nodeFlags(validateRegistry({ services: [app(s)] }).services[0]!);
    expect(flagsOf(scale({ memoryLimit: '384Mi' }))).toEqual(['--max-old-space-size=230']);
    expect(flagsOf(scale({ memoryLimit: '1Gi' }))).toEqual(['--max-old-space-size=614']);
    expect(flagsOf(undefined)).toEqual(['--max-old-space-size=153']);
  });

  it('refuses min above max, naming the range and the fix', () => {
    expect(problemsOf(app(scale({ replicas: { staging: [1, 2], production: [6, 2] } })))).toEqual([{ path: 'services[0].scale.replicas.production', message: 'replica range [6, 2] of "api" has min above max: write [2, 6]' }]);
  });

  it('refuses more than one replica for an app that cannot scale', () => {
    expect(problemsOf(app(scale({ canScale: false })))).toEqual([
      { path: 'services[0].scale.replicas.staging', message: expect.stringMatching(/"api" has canScale false but up to 2 staging replicas: set canScale true .* or use \[1, 1\]/) },
      { path: 'services[0].scale.replicas.production', message: expect.stringMatching(/up to 6 production replicas/) },
    ]);
    expect(problemsOf(app(scale({ canScale: false, replicas: { staging: [1, 1], production: [1, 1] } })))).toEqual([]);
  });

  it('refuses 0 replicas, more than 100, and a missing profile', () => {
    expect(problemsOf(app(scale({ replicas: { staging: [0, 2], production: [2, 6] } })))).toEqual([{ path: 'services[0].scale.replicas.staging[0]', message: expect.stringContaining('at least 1 replica') }]);
    expect(problemsOf(app(scale({ replicas: { staging: [1, 2], production: [2, 101] } })))).toEqual([{ path: 'services[0].scale.replicas.production[1]', message: expect.stringContaining('at most 100 replicas') }]);
    expect(problemsOf(app(scale({ replicas: { staging: [1, 2] } })))[0]!.path).toBe('services[0].scale.replicas.production');
  });

  it('refuses quantities Kubernetes would not read, and a limit below the request', () => {
    expect(problemsOf(app(scale({ requests: { cpu: '100 m', memory: '128MB' } }))).map((p) => p.message)).toEqual([expect.stringContaining('cpu must be cores or millicores'), expect.stringContaining('memory must be Mi or Gi')]);
    expect(problemsOf(app(scale({ memoryLimit: '64Mi' })))).toEqual([{ path: 'services[0].scale.memoryLimit', message: 'memoryLimit 64Mi of "api" is below its memory request 128Mi: raise the limit to at least 128Mi' }]);
    expect(problemsOf(app(scale({ requests: { cpu: '0.5', memory: '1Gi' }, memoryLimit: '1024Mi' })))).toEqual([]);
  });

  it('refuses scale on infra: PostgreSQL and Redis are external services to the cluster', () => {
    expect(problemsOf(app(scale(), { name: 'pg', port: 5432, kind: 'infra', health: { type: 'postgres' } }))).toEqual([{ path: 'services[0].scale', message: expect.stringMatching(/"pg" is infra, not an app: only apps have replicas/) }]);
  });

  it('refuses unknown fields inside scale', () => {
    expect(problemsOf(app(scale({ replica: 3 })))).toEqual([{ path: 'services[0].scale', message: 'unknown field "replica": remove it' }]);
  });

  it('reads memory quantities in MiB', () => {
    expect(mebibytes('256Mi')).toBe(256);
    expect(mebibytes('2Gi')).toBe(2048);
    expect(() => mebibytes('2G')).toThrow(/"2G" is not a memory quantity in Mi or Gi/);
  });

  it("the workspace registry: api, realtime and gpu-worker scale out; the engine runs one replica; a rewrite keeps every scale", () => {
    const text = readFileSync(resolve(__dirname, '../registry.json'), 'utf8');
    const registry = parseRegistry(text, 'registry.json');
    const can = (name: string) => scaleOf(registry.services.find((s) => s.name === name)!).canScale;
    expect(['api', 'realtime', 'gpu-worker'].map(can)).toEqual([true, true, true]);
    expect(can('automation')).toBe(false);
    expect(serializeRegistry(registry.services)).toBe(text);
  });
});

import { describe, expect, it } from 'vitest';
import { RegistryError } from './errors.js';
import { parseRegistry } from './registry.js';
import { validateRegistry } from './validate.js';

const FILE = '/ws/libs/ports/registry.json';
const ok = (over: Record<string, unknown> = {}) => ({ name: 'api', port: 3002, kind: 'http', purpose: 'REST API', health: { type: 'http', path: '/health' }, required: true, ...over });
const problemsOf = (services: unknown[]) => validateRegistry({ services }).problems;

describe('validateRegistry', () => {
  it('accepts a valid registry', () => {
    const { problems, services } = validateRegistry({ services: [ok(), ok({ name: 'pg', port: 5432, kind: 'infra', health: { type: 'postgres' } })] });
    expect(problems).toEqual([]);
    expect(services.map((s) => s.name)).toEqual(['api', 'pg']);
  });

  it('reports a duplicate port, naming both services', () => {
    const problems = problemsOf([ok(), ok({ name: 'realtime' })]);
    expect(problems).toEqual([{ path: 'services[1].port', message: expect.stringMatching(/duplicate port 3002: "realtime" and "api"/) }]);
  });

  it('reports a duplicate name', () => {
    expect(problemsOf([ok(), ok({ port: 3003 })])[0]).toMatchObject({ path: 'services[1].name', message: expect.stringContaining('duplicate name "api"') });
  });

  it('reports a port outside its kind\'s range', () => {
    expect(problemsOf([ok({ port: 8081 })])[0]!.message).toMatch(/port 8081 of "api" is outside the http range 3000–3999/);
    expect(problemsOf([ok({ name: 'w', kind: 'worker', port: 3500 })])[0]!.message).toMatch(/outside the worker range 8000–8999/);
  });

  it('reports ports below 1024 and above 65535', () => {
    expect(problemsOf([ok({ port: 80 })])[0]!.message).toMatch(/port 80 of "api" is outside 1024–65535/);
    expect(problemsOf([ok({ kind: 'infra', port: 70000 })])[0]!.message).toMatch(/port 70000 .* outside 1024–65535/);
  });

  it('refuses the reserved name "hypernode" (its HYPERNODE_HOST would be the bind address)', () => {
    expect(problemsOf([ok({ name: 'hypernode' })])).toEqual([{ path: 'services[0].name', message: expect.stringMatching(/name "hypernode" is reserved .*HYPERNODE_HOST.*pick another name/) }]);
    expect(problemsOf([ok({ name: 'hypernode-api' })])).toEqual([]);
  });

  it('reports a bad name', () => {
    expect(problemsOf([ok({ name: 'My_API' })])[0]).toMatchObject({ path: 'services[0].name', message: expect.stringContaining('bad name') });
  });

  it('reports an unknown kind, listing the valid ones', () => {
    expect(problemsOf([ok({ kind: 'gpu' })])[0]).toMatchObject({ path: 'services[0].kind', message: expect.stringMatching(/unknown kind "gpu": expected one of frontend, http/) });
  });

  it('reports a missing field by name', () => {
    const { port: _port, ...noPort } = ok();
    expect(problemsOf([noPort])[0]).toMatchObject({ path: 'services[0].port', message: expect.stringContaining('missing field "port"') });
  });

  it('tells a wrong type from a missing field', () => {
    expect(problemsOf([ok({ port: '3002' })])[0]).toEqual({ path: 'services[0].port', message: 'expected number, got "3002"' });
    expect(problemsOf([ok({ required: 'yes' })])[0]!.message).toBe('expected boolean, got "yes"');
    expect(problemsOf([ok({ port: 3002.5 })])[0]!.message).toBe('port must be a whole number');
  });

  it('reports a duplicate or malformed proxy route', () => {
    expect(problemsOf([ok({ route: '/api/' }), ok({ name: 'b', port: 3003, route: '/api/' })])[0]).toMatchObject({ path: 'services[1].route', message: expect.stringContaining('duplicate route "/api/"') });
    expect(problemsOf([ok({ route: 'api' })])[0]!.message).toContain('route must be "/" or one path segment');
  });

  it('reports unknown health types and unknown fields', () => {
    expect(problemsOf([ok({ health: { type: 'ping' } })])[0]!.message).toMatch(/unknown health type/);
    expect(problemsOf([ok({ colour: 'red' })])[0]!.message).toMatch(/unknown field "colour"/);
  });

  it('reports EVERY problem at once, across entries', () => {
    const { port: _port, ...noPort } = ok({ name: 'b' });
    const problems = problemsOf([ok({ port: 80 }), noPort, ok({ name: 'Bad Name', port: 3003 }), ok({ name: 'c', kind: 'gpu' }), ok({ port: 3005 })]);
    expect(problems.map((p) => p.path)).toEqual(['services[0].port', 'services[1].port', 'services[2].name', 'services[3].kind', 'services[4].name']);
    // a bad name does not hide the same entry's bad port
    expect(problemsOf([ok({ name: 'Bad', port: 80 })]).map((p) => p.path)).toEqual(['services[0].name', 'services[0].port']);
  });

  it('rejects a file without services', () => {
    expect(validateRegistry({}).problems[0]!.message).toContain('missing field "services"');
  });
});

describe('parseRegistry', () => {
  it('throws a RegistryError whose message names the file on every problem', () => {
    const text = JSON.stringify({ services: [ok({ port: 80 }), ok({ name: 'x', kind: 'gpu', port: 3003 })] });
    let error: RegistryError | undefined;
    try {
      parseRegistry(text, FILE);
    } catch (e) {
      error = e as RegistryError;
    }
    expect(error).toBeInstanceOf(RegistryError);
    expect(error!.code).toBe('E_REGISTRY_INVALID');
    expect(error!.problems).toHaveLength(2);
    expect(error!.message.split('\n').filter((l) => l.includes(`${FILE}: services[`))).toHaveLength(2);
  });

  it('reports broken JSON with the file path', () => {
    expect(() => parseRegistry('{ "services": [', FILE)).toThrow(/registry\.json: \(file\): not valid JSON/);
  });
});

import { describe, expect, it } from 'vitest';
import { allocatePort, PortClaimError } from './allocate.js';
import { parseRegistry } from './registry.js';
import { serializeRegistry } from './serialize.js';

const FILE = 'libs/ports/registry.json';
const entry = (name: string, port: number, kind: string) => ({ name, port, kind, purpose: name, health: { type: 'http', path: '/health' }, required: true });
const { services } = parseRegistry(JSON.stringify({ services: [entry('site', 3000, 'frontend'), entry('api', 3002, 'http'), entry('gpu-worker', 8080, 'worker')] }), FILE);

describe('allocatePort', () => {
  it('takes the lowest free port from the kind\'s first claimed port, else from the range start', () => {
    expect(allocatePort(services, 'http', undefined, FILE)).toBe(3003);
    expect(allocatePort(services, 'worker', undefined, FILE)).toBe(8081);
    expect(allocatePort(services, 'websocket', undefined, FILE)).toBe(3001);
    expect(allocatePort([], 'worker', undefined, FILE)).toBe(8000);
  });

  it('wraps to a lower free port when the top of the range is full', () => {
    const top = Array.from({ length: 920 }, (_, i) => ({ ...services[2]!, name: `w${i}`, port: 8080 + i })).filter((s) => s.port <= 8999 && s.port !== 8899);
    expect(allocatePort(top, 'worker', undefined, FILE)).toBe(8000);
  });

  it('skips reserved ports', () => {
    const full = Array.from({ length: 819 }, (_, i) => ({ ...services[2]!, name: `w${i}`, port: 8080 + i }));
    expect(allocatePort(full, 'worker', undefined, FILE)).toBe(8900);
    expect(() => allocatePort([], 'worker', 8899, FILE)).toThrow(/port 8899 is already claimed by the Solana local validator/);
  });

  it('claims a requested free port, and refuses a claimed or out-of-range one naming the holder and the fix', () => {
    expect(allocatePort(services, 'http', 3500, FILE)).toBe(3500);
    expect(() => allocatePort(services, 'http', 3002, FILE)).toThrow(PortClaimError);
    expect(() => allocatePort(services, 'http', 3002, FILE)).toThrow(`port 3002 is already claimed by "api" in ${FILE}; omit --port to take the next free one`);
    expect(() => allocatePort(services, 'worker', 3005, FILE)).toThrow(/--port 3005 is outside the worker range 8000–8999/);
  });

  it('says when a range is full', () => {
    const full = Array.from({ length: 1000 }, (_, i) => ({ ...services[1]!, name: `s${i}`, port: 3000 + i }));
    expect(() => allocatePort(full, 'http', undefined, FILE)).toThrow(/no free http port left in 3000–3999/);
  });
});

describe('serializeRegistry', () => {
  it('round-trips through parseRegistry, one service per line', () => {
    const text = serializeRegistry(services);
    expect(parseRegistry(text, FILE).services).toEqual(services);
    expect(text.split('\n').filter((l) => l.includes('"name"'))).toHaveLength(3);
  });
});

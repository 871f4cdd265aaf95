import { describe, expect, it } from 'vitest';
import { ConfigError, env, parseEnv } from './config.js';

const shape = { A_MAX: env.int(600, 1, 1000), A_RATIO: env.num(undefined, 0, 1), A_URL: env.url('redis://localhost/', ['redis', 'rediss']), A_TOKEN: env.secret(16, false, 'openssl rand -hex 32') };

describe('parseEnv', () => {
  it('gives defaults for unset and empty variables and converts the rest', () => {
    expect(parseEnv('svc', shape, { A_MAX: '', A_RATIO: '0.5' })).toEqual({ A_MAX: 600, A_RATIO: 0.5, A_URL: 'redis://localhost/', A_TOKEN: undefined });
  });

  it('lists every bad variable in one ConfigError naming the value and what is expected', () => {
    let caught: unknown;
    try {
      parseEnv('svc', shape, { A_MAX: 'abc', A_RATIO: '2', A_URL: 'http://x', A_TOKEN: 'short' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const e = caught as ConfigError;
    expect(e.code).toBe('E_CONFIG');
    expect(e.problems.map((p) => p.variable)).toEqual(['A_MAX', 'A_RATIO', 'A_URL', 'A_TOKEN']);
    expect(e.message).toMatch(/^svc cannot start: A_MAX="abc" is not valid: expected a whole number 1–1000 \(default 600\); A_RATIO="2" is not valid: expected a number 0–1/);
    expect(e.message).toContain('A_URL="http://x" is not valid: expected a redis or rediss URL');
    expect(e.message).toContain('A_TOKEN="short" is not valid: expected a secret of at least 16 characters');
  });

  it('requires a required secret', () => {
    expect(() => parseEnv('svc', { T: env.secret(16, true, 'set it') }, {})).toThrow(/T=\(unset\) is not valid: expected a secret of at least 16 characters \(set it\)/);
  });
});

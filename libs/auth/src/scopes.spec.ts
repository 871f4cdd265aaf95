import { describe, expect, it } from 'vitest';
import { AuthInputError, hasScope, parseScopes, SCOPES } from './scopes.js';

describe('scopes', () => {
  it('admin implies deploy implies read, never the other way', () => {
    expect(hasScope(['admin'], 'read')).toBe(true);
    expect(hasScope(['admin'], 'deploy')).toBe(true);
    expect(hasScope(['deploy'], 'read')).toBe(true);
    expect(hasScope(['deploy'], 'admin')).toBe(false);
    expect(hasScope(['read'], 'deploy')).toBe(false);
    expect(hasScope([], 'read')).toBe(false);
    expect(hasScope(['bogus' as never], 'read')).toBe(false);
  });

  it('parseScopes takes a comma-separated list and refuses an unknown scope naming it and the valid ones', () => {
    expect(parseScopes('deploy')).toEqual(['deploy']);
    expect(parseScopes('read, deploy,read')).toEqual(['read', 'deploy']);
    expect(() => parseScopes('deploy,root')).toThrow(AuthInputError);
    expect(() => parseScopes('deploy,root')).toThrow(/unknown scope "root" in "deploy,root": valid scopes are read, deploy, admin/);
    expect(() => parseScopes('')).toThrow(/unknown scope ""/);
    try {
      parseScopes('x');
    } catch (error) {
      expect((error as AuthInputError).code).toBe('E_AUTH_SCOPE');
    }
    expect(SCOPES).toEqual(['read', 'deploy', 'admin']);
  });
});

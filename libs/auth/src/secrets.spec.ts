import { describe, expect, it } from 'vitest';
import { digest, digestHex, isSecretOf, newSecret, sameDigest, SECRET_PREFIXES } from './secrets.js';

describe('secrets', () => {
  it('are the prefix plus 43 base64url characters of 32 random bytes, never twice the same', () => {
    for (const prefix of SECRET_PREFIXES) {
      const a = newSecret(prefix);
      expect(a).toMatch(new RegExp(`^${prefix}[A-Za-z0-9_-]{43}$`));
      expect(Buffer.from(a.slice(prefix.length), 'base64url')).toHaveLength(32);
      expect(newSecret(prefix)).not.toBe(a);
      expect(isSecretOf(prefix, a)).toBe(true);
    }
  });

  it('isSecretOf refuses other kinds, wrong lengths, non-ASCII and non-strings', () => {
    const key = newSecret('hn_');
    expect(isSecretOf('hnn_', key)).toBe(false);
    expect(isSecretOf('hn_', `${key}x`)).toBe(false);
    expect(isSecretOf('hn_', key.slice(0, -1))).toBe(false);
    expect(isSecretOf('hn_', `${key.slice(0, -1)}é`)).toBe(false);
    expect(isSecretOf('hn_', `${key.slice(0, -1)}=`)).toBe(false);
    expect(isSecretOf('hn_', undefined)).toBe(false);
  });

  it('digest is sha256 (32 bytes, stable); sameDigest compares in constant time and is false on a length mismatch', () => {
    const key = newSecret('hn_');
    expect(digest(key)).toHaveLength(32);
    expect(sameDigest(digest(key), digest(key))).toBe(true);
    expect(sameDigest(digest(key), digest(`${key}x`))).toBe(false);
    expect(sameDigest(digest(key), digest(key).subarray(0, 16))).toBe(false);
    // The stored digests of existing keys stay valid: sha256 as FIPS 180-2 gives it for "abc".
    expect(digestHex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(digest('abc').toString('hex')).toBe(digestHex('abc'));
    expect(digestHex(key)).toBe(digest(key).toString('hex'));
    expect(digest('abc').toString('hex')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

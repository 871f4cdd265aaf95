import { describe, expect, it } from 'vitest';
import { createKeyCache } from './key-cache.js';
import type { Principal } from './principal.js';

const alice: Principal = { kind: 'key', id: 'k-alice', scopes: ['admin'], name: 'alice' };
const bob: Principal = { kind: 'key', id: 'k-bob', scopes: ['read'], name: 'bob' };

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('createKeyCache', () => {
  it('reuses a resolved key until ttlMs has passed, then forgets it', () => {
    const c = clock();
    const cache = createKeyCache({ ttlMs: 5000, now: c.now });
    cache.set('aa', alice);
    c.advance(4999);
    expect(cache.get('aa')).toEqual(alice);
    c.advance(1);
    expect(cache.get('aa')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('never keeps an entry past the key’s own expiry, and keeps none for an expired key', () => {
    const c = clock();
    const cache = createKeyCache({ ttlMs: 5000, now: c.now });
    cache.set('aa', alice, new Date(c.now() + 1000));
    c.advance(1000);
    expect(cache.get('aa')).toBeUndefined();
    cache.set('bb', bob, new Date(c.now() - 1));
    expect(cache.get('bb')).toBeUndefined();
  });

  it('forget(id) drops every entry of that key and leaves the others', () => {
    const cache = createKeyCache();
    cache.set('aa', alice);
    cache.set('bb', bob);
    expect(cache.forget('k-alice')).toBe(1);
    expect(cache.get('aa')).toBeUndefined();
    expect(cache.get('bb')).toEqual(bob);
    const before = cache.generation;
    cache.clear();
    expect(cache.get('bb')).toBeUndefined();
    expect(cache.generation).toBeGreaterThan(before);
  });

  it('holds at most max entries, dropping the oldest first', () => {
    const cache = createKeyCache({ max: 2 });
    cache.set('a', alice);
    cache.set('b', bob);
    cache.set('c', alice);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')).toEqual(bob);
    expect(cache.size).toBe(2);
  });

  it('ttlMs 0 turns it off; a bad ttlMs is refused naming the value', () => {
    const off = createKeyCache({ ttlMs: 0 });
    off.set('a', alice);
    expect(off.get('a')).toBeUndefined();
    expect(() => createKeyCache({ ttlMs: -1 })).toThrow(/ttlMs -1/);
  });
});

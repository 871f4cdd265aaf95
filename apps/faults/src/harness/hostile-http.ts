import fc from 'fast-check';
import type { LoadRequest } from './load.js';
import type { ApiOperation, JsonSchema } from './openapi.js';

/** Real things the generators may aim at, so generated requests also reach the database. */
export interface HostileTargets {
  /** Ids of rows that exist (nodes, deployments). */
  ids: string[];
  /** `nextCursor` values the api handed out. */
  cursors: string[];
  /** Credentials that exist (admin and deploy keys, a node credential, the join token): most requests carry one. */
  tokens: string[];
}

/** Strings that broke things before: NUL, controls, lone surrogates, separators, long ones. */
export const nastyString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.constantFrom('\u0000', 'a\u0000b', '\u001f', '\n', '\u007f', '\ud800', '\udfff', '\u202e', '|', '', ' ', '%', '../..', "'; DROP TABLE deployments; --", '\\', '"', '{}', 'x'.repeat(5000)),
);

/**
 * encodeURIComponent that never throws: a lone surrogate becomes the (invalid) UTF-8 bytes of
 * its code unit, percent-encoded: exactly the kind of input a server must answer with a 400.
 */
export function encodeAny(value: string): string {
  return value.replace(/[\ud800-\udbff][\udc00-\udfff]|[\s\S]/g, (ch) => {
    if (ch.length === 1 && ch >= '\ud800' && ch <= '\udfff') {
      const cu = ch.charCodeAt(0);
      return `%ED%${(0xa0 | ((cu >> 6) & 0x1f)).toString(16).toUpperCase()}%${(0x80 | (cu & 0x3f)).toString(16).toUpperCase()}`;
    }
    return encodeURIComponent(ch);
  });
}

/** JSON number tokens JavaScript cannot hold exactly, or at all. */
const HUGE_NUMBERS = ['1e400', '-1e400', '123456789012345678901234567890', '-0', '1e-400', '4096.0000000000001', '9007199254740993', '-9007199254740993', '0.1e1', '1E308'];

/** Any JSON value, rendered as JSON text. */
const anyJson = fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v));

/** A JSON text token for one property: near-valid for `schema`, or a wrong type, or hostile. */
function valueToken(schema: JsonSchema, targets: HostileTargets): fc.Arbitrary<string> {
  const s = (a: fc.Arbitrary<string>) => a.map((v) => JSON.stringify(v));
  const near: Array<fc.Arbitrary<string>> = [];
  if (schema.enum) near.push(s(fc.constantFrom(...(schema.enum as string[]))));
  const types = [schema.type ?? []].flat();
  if (types.includes('number') || types.includes('integer')) {
    const min = typeof schema.minimum === 'number' ? schema.minimum : typeof schema.exclusiveMinimum === 'number' ? schema.exclusiveMinimum : -1e6;
    const max = typeof schema.maximum === 'number' ? schema.maximum : 1e6;
    near.push(fc.integer({ min: Math.ceil(min), max: Math.floor(max) }).map(String), fc.double({ min, max, noNaN: true }).map((n) => JSON.stringify(n)), fc.constantFrom(...HUGE_NUMBERS));
  }
  if (types.includes('string')) {
    if (schema.format === 'uuid') near.push(s(fc.oneof(fc.uuid(), fc.constantFrom(...targets.ids))));
    else if (schema.format === 'uri') near.push(s(fc.oneof(fc.webUrl(), fc.constantFrom('http://127.0.0.1:1/', 'http://[::1]:0/', 'javascript:alert(1)', 'http://a\u0000b/'))));
    else near.push(s(fc.oneof(fc.stringMatching(/^[a-z][a-z0-9.-]{0,20}$/), fc.constant('x'.repeat(schema.maxLength ?? 100)))));
  }
  if (types.includes('boolean')) near.push(fc.constantFrom('true', 'false'));
  return fc.oneof({ arbitrary: near.length > 0 ? fc.oneof(...near) : anyJson, weight: 5 }, { arbitrary: s(nastyString), weight: 2 }, { arbitrary: anyJson, weight: 2 }, { arbitrary: fc.constantFrom(...HUGE_NUMBERS, 'null', '[]', '{}', 'true'), weight: 1 });
}

/** A JSON body text for `schema`: mostly near its shape, sometimes anything at all. */
function bodyText(schema: JsonSchema | undefined, targets: HostileTargets): fc.Arbitrary<string | undefined> {
  const props = Object.entries(schema?.properties ?? {});
  const shaped =
    props.length === 0
      ? anyJson
      : fc
          .tuple(
            ...props.map(([name, p]) => fc.option(valueToken(p, targets), { freq: 5 }).map((v) => (v === null ? '' : `${JSON.stringify(name)}:${v}`))),
            fc.option(fc.tuple(fc.oneof(nastyString, fc.constantFrom('__proto__', 'constructor', 'prototype', 'extra')), anyJson), { freq: 3 }).map((kv) => (kv === null ? '' : `${JSON.stringify(kv[0])}:${kv[1]}`)),
          )
          .map((parts) => `{${parts.filter((p) => p !== '').join(',')}}`);
  return fc.oneof(
    { arbitrary: shaped, weight: 8 },
    { arbitrary: anyJson, weight: 2 },
    { arbitrary: fc.constantFrom('', '{', '{"a":', 'null', '[', '\u0000', '{"model":"a","minVramGb":1,}', `${'['.repeat(5000)}${']'.repeat(5000)}`, `{"model":"${'x'.repeat(1_100_000)}"}`), weight: 1 },
    { arbitrary: fc.constant(undefined), weight: 1 },
  );
}

/** A path segment: a real id, another uuid, or something hostile (percent-encoded or raw escapes). */
function pathSegment(targets: HostileTargets): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: fc.constantFrom(...targets.ids), weight: 3 },
    { arbitrary: fc.uuid(), weight: 2 },
    { arbitrary: nastyString.filter((v) => v !== '').map(encodeAny), weight: 3 },
    { arbitrary: fc.constantFrom('%00', '%', '%ZZ', '%C0%80', '%E0%A4%A', '..', '%2e%2e', '%2F', '00000000-0000-0000-0000-000000000000', 'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF', '1', '-1', 'x'.repeat(3000)), weight: 2 },
  );
}

/** A cursor: one the api gave out, one of those mangled, a look-alike, or anything. */
function cursorValue(targets: HostileTargets): fc.Arbitrary<string> {
  const given = targets.cursors.length > 0 ? targets.cursors : ['AAAA'];
  const dateish = fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), fc.constantFrom('275760-09-13T00:00:00.000000Z', '2026-02-30T00:00:00Z', 'infinity', '-infinity', 'epoch', '1'), nastyString);
  const idish = fc.oneof(fc.uuid(), nastyString);
  return fc.oneof(
    fc.constantFrom(...given),
    fc.tuple(fc.constantFrom(...given), fc.nat(), nastyString).map(([c, at, junk]) => `${c.slice(0, at % (c.length + 1))}${junk}${c.slice(at % (c.length + 1))}`),
    fc.tuple(dateish, idish, fc.constantFrom('base64url', 'base64') as fc.Arbitrary<BufferEncoding>).map(([d, id, enc]) => Buffer.from(`${d}|${id}`).toString(enc)),
    fc.jsonValue({ maxDepth: 2 }).map((v) => Buffer.from(JSON.stringify(v)).toString('base64url')),
    nastyString,
  );
}

/** A query string from the route's declared parameters (and a stray one), each value hostile or not. */
function queryString(op: ApiOperation, targets: HostileTargets): fc.Arbitrary<string> {
  const param = (name: string, schema: JsonSchema) =>
    fc.option(
      (name === 'cursor' ? cursorValue(targets) : fc.oneof({ arbitrary: valueToken(schema, targets).map((t) => (t.startsWith('"') ? (JSON.parse(t) as string) : t)), weight: 3 }, { arbitrary: nastyString, weight: 2 })).map((v) => `${encodeAny(name)}=${encodeAny(v)}`),
      { freq: 2 },
    );
  return fc
    .tuple(
      ...op.query.map((q) => param(q.name, q.schema)),
      fc.option(fc.oneof(fc.tuple(nastyString, nastyString).map(([k, v]) => `${encodeAny(k)}=${encodeAny(v)}`), fc.constantFrom('limit=1&limit=2', 'cursor', 'a[b]=1', '%00=%00', '=', '&&&', 'status=%ZZ')), { freq: 3 }),
    )
    .map((parts) => parts.filter((p): p is string => p !== null).join('&'));
}

/**
 * One hostile request to one of `ops`: path ids, query strings (cursors included) and JSON
 * bodies generated from the route's own schema, mutated; a real credential on most of them so
 * validation and handlers are reached, not just the auth check.
 */
export function hostileRequest(apiUrl: string, ops: ApiOperation[], targets: HostileTargets): fc.Arbitrary<LoadRequest> {
  return fc.constantFrom(...ops).chain((op) =>
    fc
      .record({
        segments: fc.tuple(...op.pathParams.map(() => pathSegment(targets))),
        query: queryString(op, targets),
        body: op.method === 'GET' ? fc.constant(undefined) : bodyText(op.body, targets),
        auth: fc.oneof(
          { arbitrary: fc.constantFrom(...targets.tokens.map((t) => `Bearer ${t}`)), weight: 6 },
          { arbitrary: fc.constantFrom<string | undefined>(undefined, 'Bearer wrong', 'Bearer hn_', 'Bearer hn_\u00e9', 'Basic Og=='), weight: 2 },
        ),
        contentType: fc.constantFrom('application/json', 'application/json', 'application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1'),
      })
      .map(({ segments, query, body, auth, contentType }) => {
        let i = 0;
        const path = op.path.replace(/:[^/]+/g, () => segments[i++]!);
        // authorization undefined: sent with no credential at all (not the harness's admin key).
        const headers: Record<string, string | undefined> = { authorization: auth };
        if (body !== undefined) headers['content-type'] = contentType;
        return { route: `${op.method} ${op.path}`, url: `${apiUrl}${path}${query ? `?${query}` : ''}`, method: op.method, body, headers };
      }),
  );
}

/**
 * Draws values of `arb` one at a time, reproducibly from `seed`, `chunk` at a time (so large
 * generated values are never all in memory at once). Call with i = 0, 1, 2… in order.
 */
export function lazySample<T>(arb: fc.Arbitrary<T>, seed: number, chunk = 50): (i: number) => T {
  let base = -1;
  let values: T[] = [];
  return (i) => {
    const start = i - (i % chunk);
    if (start !== base) {
      base = start;
      values = fc.sample(arb, { numRuns: chunk, seed: (seed + start) | 0 });
    }
    return values[i - start]!;
  };
}

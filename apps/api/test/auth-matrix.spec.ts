import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InjectOptions } from 'fastify';
import { listServices } from '@hypernode/ports';
import { createApiKey, createJoinToken, revokeApiKey } from '@hypernode/store';
import type { AuthDecision } from '../src/plugins/auth.js';
import { bearer, startTestApi, type TestApi } from './harness.js';

/** The credentials every route is tried with. */
const COLUMNS = ['no credential', 'wrong scope', 'revoked key', 'expired key', "another node's credential", 'right credential'] as const;
type Column = (typeof COLUMNS)[number];
type Headers = Record<string, string>;

/** How to call a route successfully (fresh state per call), what it answers then, and cells that differ from its decision's rule. */
interface Case {
  auth: AuthDecision;
  request: () => Promise<Omit<InjectOptions, 'method' | 'headers'> & { headers?: Headers }>;
  ok: number;
  /** The credential that succeeds on a public route that still wants one (POST /nodes: a join token; /auth/me: any). */
  right?: () => Promise<Headers>;
  except?: Partial<Record<Column, number>>;
}

let api: TestApi;
let nodeA: Awaited<ReturnType<TestApi['registerNode']>>;
let nodeB: Awaited<ReturnType<TestApi['registerNode']>>;
/** The node the deregister case retires (a fresh one per call). */
let leaver: Awaited<ReturnType<TestApi['registerNode']>>;
let revoked: Headers;
let expired: Headers;
let n = 0;
beforeAll(async () => {
  api = await startTestApi({ rateLimitMax: 1_000_000 });
  nodeA = await api.registerNode('matrix-a');
  nodeB = await api.registerNode('matrix-b');
  const gone = await createApiKey(api.pool, { name: 'revoked', scopes: ['admin'] });
  await revokeApiKey(api.pool, gone.id);
  revoked = bearer(gone.key);
  expired = bearer(await api.mintKey(['admin'], { name: 'expired', expiresAt: new Date(Date.now() - 1000) }));
});
afterAll(async () => {
  await api?.close();
});

const site = () => listServices({ env: {} }).find((s) => s.name === 'site')!.url;
/** A deployment of node A, running: what node A may report on. */
async function deploymentOfA(): Promise<string> {
  const { id } = (await api.app.inject({ method: 'POST', url: '/deployments', headers: api.as.deploy, payload: { model: `m${n++}`, minVramGb: 1 } })).json();
  await api.pool.query("UPDATE deployments SET status = 'running', node_id = $2 WHERE id = $1", [id, nodeA.id]);
  return id;
}
const freshKeyId = async () => (await createApiKey(api.pool, { name: `k${n++}`, scopes: ['read'] })).id;
const registration = () => ({ name: `matrix-new-${n++}`, gpuModel: 'SIM', vramGb: 8, workerUrl: 'http://127.0.0.1:1/' });

const everyone = (status: number): Partial<Record<Column, number>> => Object.fromEntries(COLUMNS.map((c) => [c, status]));
const CASES: Record<string, Case> = {
  'GET /health': { auth: 'public', request: async () => ({ url: '/health' }), ok: 200 },
  'HEAD /health': { auth: 'public', request: async () => ({ url: '/health' }), ok: 200 },
  'GET /ready': { auth: 'public', request: async () => ({ url: '/ready' }), ok: 200 },
  'HEAD /ready': { auth: 'public', request: async () => ({ url: '/ready' }), ok: 200 },
  'GET /docs/json': { auth: 'public', request: async () => ({ url: '/docs/json' }), ok: 200 },
  'HEAD /docs/json': { auth: 'public', request: async () => ({ url: '/docs/json' }), ok: 200 },
  'OPTIONS *': { auth: 'public', request: async () => ({ url: '/deployments', headers: { origin: site(), 'access-control-request-method': 'POST' } }), ok: 204 },
  'GET /services': { auth: 'read', request: async () => ({ url: '/services' }), ok: 200 },
  'HEAD /services': { auth: 'read', request: async () => ({ url: '/services' }), ok: 200 },
  'GET /auth/me': { auth: 'public', request: async () => ({ url: '/auth/me' }), ok: 200, right: async () => api.as.read, except: { 'no credential': 401, 'revoked key': 401, 'expired key': 401 } },
  'HEAD /auth/me': { auth: 'public', request: async () => ({ url: '/auth/me' }), ok: 200, right: async () => api.as.read, except: { 'no credential': 401, 'revoked key': 401, 'expired key': 401 } },
  'POST /auth/sign-in': { auth: 'public', request: async () => ({ url: '/auth/sign-in', payload: { key: await api.mintKey(['read']) } }), ok: 200 },
  'POST /auth/sign-out': { auth: 'read', request: async () => ({ url: '/auth/sign-out' }), ok: 204 },
  'POST /keys': { auth: 'admin', request: async () => ({ url: '/keys', payload: { name: 'ci', scopes: ['deploy'] } }), ok: 201 },
  'GET /keys': { auth: 'admin', request: async () => ({ url: '/keys' }), ok: 200 },
  'HEAD /keys': { auth: 'admin', request: async () => ({ url: '/keys' }), ok: 200 },
  'POST /keys/:id/revoke': { auth: 'admin', request: async () => ({ url: `/keys/${await freshKeyId()}/revoke` }), ok: 204 },
  'POST /join-tokens': { auth: 'admin', request: async () => ({ url: '/join-tokens', payload: { uses: 1, expiresInS: 600 } }), ok: 201 },
  'POST /nodes': {
    auth: 'public',
    request: async () => ({ url: '/nodes', payload: registration() }),
    ok: 201,
    right: async () => bearer((await createJoinToken(api.pool, { uses: 1, ttlS: 600 })).token),
    // Needs a join token; a node's own credential re-registers only its own name (409 for a new one).
    except: { ...everyone(401), "another node's credential": 409, 'right credential': 201 },
  },
  'POST /nodes/:id/heartbeat': { auth: 'node', request: async () => ({ url: `/nodes/${nodeA.id}/heartbeat`, payload: { load: 0.1, freeVramGb: 8 } }), ok: 200 },
  // Deregistering ends the node's credential: each call gets a node of its own, so node A keeps working.
  'POST /nodes/:id/deregister': {
    auth: 'node',
    request: async () => {
      leaver = await api.registerNode(`matrix-leaver-${n++}`);
      return { url: `/nodes/${leaver.id}/deregister` };
    },
    right: async () => leaver.auth,
    ok: 204,
  },
  'GET /nodes': { auth: 'read', request: async () => ({ url: '/nodes' }), ok: 200 },
  'HEAD /nodes': { auth: 'read', request: async () => ({ url: '/nodes' }), ok: 200 },
  'GET /nodes/:id': { auth: 'read', request: async () => ({ url: `/nodes/${nodeA.id}` }), ok: 200 },
  'HEAD /nodes/:id': { auth: 'read', request: async () => ({ url: `/nodes/${nodeA.id}` }), ok: 200 },
  'POST /deployments': { auth: 'deploy', request: async () => ({ url: '/deployments', payload: { model: 'matrix', minVramGb: 1 } }), ok: 201 },
  'GET /deployments': { auth: 'read', request: async () => ({ url: '/deployments' }), ok: 200 },
  'HEAD /deployments': { auth: 'read', request: async () => ({ url: '/deployments' }), ok: 200 },
  'GET /deployments/:id': { auth: 'read', request: async () => ({ url: `/deployments/${await deploymentOfA()}` }), ok: 200 },
  'HEAD /deployments/:id': { auth: 'read', request: async () => ({ url: `/deployments/${await deploymentOfA()}` }), ok: 200 },
  'POST /deployments/:id/cancel': { auth: 'deploy', request: async () => ({ url: `/deployments/${await deploymentOfA()}/cancel` }), ok: 200 },
  'POST /deployments/:id/progress': { auth: 'node', request: async () => ({ url: `/deployments/${await deploymentOfA()}/progress`, payload: { status: 'running', progress: 5 } }), ok: 200 },
};

/** The credential of each column for a route with this decision. */
function credentialFor(decision: AuthDecision, column: Column): Headers {
  switch (column) {
    case 'no credential':
      return {};
    case 'wrong scope':
      // The strongest credential that still lacks what the route needs (read: a node, which has no scopes).
      return { public: api.as.read, read: nodeA.auth, deploy: api.as.read, admin: api.as.deploy, node: api.as.admin }[decision];
    case 'revoked key':
      return revoked;
    case 'expired key':
      return expired;
    case "another node's credential":
      return nodeB.auth;
    case 'right credential':
      return { public: {}, read: api.as.read, deploy: api.as.deploy, admin: api.as.admin, node: nodeA.auth }[decision];
  }
}

/** What a route with this decision answers each column, before the case's own exceptions. */
function expected(decision: AuthDecision, column: Column, ok: number): number {
  if (decision === 'public' || column === 'right credential') return ok;
  if (column === 'no credential' || column === 'revoked key' || column === 'expired key') return 401;
  return 403;
}

describe('the auth matrix: every route × every kind of credential', () => {
  it('every route of the app has a case with its decision, and each answers as its decision says', { timeout: 120_000 }, async () => {
    const routes = api.app.routeAuth.map((r) => ({ ...r, key: `${r.method} ${r.url}` }));
    expect(routes.length).toBeGreaterThan(20);
    const missing = routes.filter((r) => !CASES[r.key]).map((r) => r.key);
    expect(missing, 'routes with no case in auth-matrix.spec.ts (add one: how to call it and what it answers)').toEqual([]);
    expect(Object.keys(CASES).filter((k) => !routes.some((r) => r.key === k)), 'cases for routes that no longer exist').toEqual([]);

    const table: string[] = [`| route | auth | ${COLUMNS.join(' | ')} |`, `|---|---|${COLUMNS.map(() => '---').join('|')}|`];
    const wrong: string[] = [];
    for (const route of routes) {
      const c = CASES[route.key]!;
      expect({ route: route.key, auth: route.auth }).toEqual({ route: route.key, auth: c.auth });
      const cells: string[] = [];
      for (const column of COLUMNS) {
        const { headers: extra, ...request } = await c.request();
        const credential = column === 'right credential' && c.right ? await c.right() : credentialFor(c.auth, column);
        const res = await api.app.inject({ method: route.method as InjectOptions['method'], headers: { ...credential, ...extra }, ...request });
        const want = c.except?.[column] ?? expected(c.auth, column, c.ok);
        if (res.statusCode !== want) wrong.push(`${route.key} × ${column}: ${res.statusCode} (wanted ${want}) ${res.body.slice(0, 200)}`);
        if (res.statusCode >= 500) wrong.push(`${route.key} × ${column}: a 5xx`);
        if (res.statusCode === 401) expect(res.headers['www-authenticate']).toBe('Bearer');
        cells.push(String(res.statusCode));
      }
      table.push(`| \`${route.key}\` | ${c.auth}${route.owner ? ` (own ${route.owner})` : ''} | ${cells.join(' | ')} |`);
    }
    const dir = join(import.meta.dirname, '..', '..', '..', 'tmp');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'auth-matrix.md'), `# api: route × credential → status\n\nwrong scope = the strongest credential lacking the route's need (read routes: a node credential; node routes: an admin key); revoked and expired keys are admin keys; "another node" is a registered node acting on node A's resources.\n\n${table.join('\n')}\n`);
    expect(wrong).toEqual([]);
  });
});

import type { Scope } from './scopes.js';

/**
 * Who made a request, as the api resolves it and answers `GET /auth/me`: an API key, a
 * session (a person signed in), or a GPU node (no scopes; bound to its node id).
 */
export interface Principal {
  kind: 'key' | 'session' | 'node';
  /** The key's, session's or node's id. */
  id: string;
  scopes: Scope[];
  /** Set for a node principal: the node it may act for. */
  nodeId?: string;
  /** The key's or node's name. */
  name?: string;
}

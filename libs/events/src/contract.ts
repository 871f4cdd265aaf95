import { Type, type Static } from 'typebox';
import { DEPLOYMENT_STATES } from './deployment-state.js';
import { Nullable } from './nullable.js';

/** A GPU node as the API reports it. */
export const NodeSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  gpuModel: Type.String(),
  vramGb: Type.Number(),
  freeVramGb: Type.Number(),
  load: Type.Number(),
  workerUrl: Type.String(),
  status: Type.Enum(['online', 'offline']),
  lastHeartbeatAt: Type.String({ format: 'date-time' }),
  createdAt: Type.String({ format: 'date-time' }),
});
export type NodeRecord = Static<typeof NodeSchema>;

/** An LLM deployment as the API reports it. */
export const DeploymentSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  model: Type.String(),
  gpuModel: Nullable(Type.String()),
  minVramGb: Type.Number(),
  maxDurationS: Nullable(Type.Integer()),
  status: Type.Enum(DEPLOYMENT_STATES),
  progress: Type.Number({ minimum: 0, maximum: 100 }),
  nodeId: Nullable(Type.String({ format: 'uuid' })),
  error: Nullable(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
export type DeploymentRecord = Static<typeof DeploymentSchema>;

/** Event types and what each carries. */
export interface EventPayloads {
  'deployment.created': { deployment: DeploymentRecord };
  'deployment.updated': { deployment: DeploymentRecord; from: DeploymentRecord['status'] };
  'node.registered': { node: NodeRecord };
  'node.updated': { node: NodeRecord };
  'service.health': { services: ServiceHealth[] };
}

/** One service's health as the automation engine's sweep saw it. */
export interface ServiceHealth {
  name: string;
  port: number;
  status: 'up' | 'down';
  latencyMs: number;
  detail: string;
}
export type EventType = keyof EventPayloads;

/** One event as stored in the outbox and carried on the stream. `id` only ever grows. */
export interface HypernodeEvent<T extends EventType = EventType> {
  id: string;
  type: T;
  topics: string[];
  at: string;
  data: EventPayloads[T];
}

/** Topics an event is delivered on (realtime subscriptions match these). */
export function topicsFor<T extends EventType>(type: T, data: EventPayloads[T]): string[] {
  if ('deployment' in data) return ['deployments', `deployment:${data.deployment.id}`];
  if ('node' in data) return ['nodes', `node:${data.node.id}`];
  if ('services' in data) return ['services'];
  return [type];
}

/** The Redis stream every event is appended to, under a key prefix (tests use their own). */
export function eventStreamKey(prefix: string): string {
  return `${prefix}events`;
}

/**
 * The stream's epoch: a random id the api's relay writes whenever it (re)seeds the stream
 * from PostgreSQL (first start, Redis lost its data, or the database was reset). Event ids are
 * only comparable within one epoch: a client resuming from another epoch gets `reset`.
 */
export function eventEpochKey(prefix: string): string {
  return `${prefix}events:epoch`;
}

/**
 * The automation engine's latest health sweep, as JSON `ServicesHealthSnapshot`; the api's
 * `/services` serves it (with its age) instead of probing every service on each request.
 */
export function servicesHealthKey(prefix: string): string {
  return `${prefix}services:health`;
}

/** What the health sweep stores under servicesHealthKey. */
export interface ServicesHealthSnapshot {
  /** When the sweep finished (ISO 8601). */
  checkedAt: string;
  services: ServiceHealth[];
}

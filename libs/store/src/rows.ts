import type { DeploymentRecord, NodeRecord } from '@hypernode/events';

/**
 * A timestamptz column: a Date as pg parses it, or already the API's ISO 8601 text (UTC,
 * milliseconds) when the query formats it in PostgreSQL (the list queries: LIST_COLUMNS) —
 * parsing 40 timestamps of a 20-row page into Dates only to print them again was the largest
 * part of the list route's own CPU.
 */
export type Timestamp = Date | string;

const iso = (t: Timestamp): string => (typeof t === 'string' ? t : t.toISOString());

/** A timestamptz column selected as the API prints it (what Date#toISOString gives: UTC, milliseconds). */
const isoColumn = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS ${column}`;

/** The columns toNode and toDeployment read, timestamps formatted by PostgreSQL. */
export const LIST_COLUMNS = {
  nodes: ['id', 'name', 'gpu_model', 'vram_gb', 'free_vram_gb', 'load', 'worker_url', 'status', isoColumn('last_heartbeat_at'), isoColumn('created_at')].join(', '),
  deployments: ['id', 'model', 'gpu_model', 'min_vram_gb', 'max_duration_s', 'status', 'progress', 'node_id', 'error', isoColumn('created_at'), isoColumn('updated_at')].join(', '),
} as const;

/** Columns of `nodes` as pg returns them (numeric comes back as text). */
export interface NodeRow {
  id: string;
  name: string;
  gpu_model: string;
  vram_gb: string;
  free_vram_gb: string;
  load: string;
  worker_url: string;
  status: 'online' | 'offline';
  last_heartbeat_at: Timestamp;
  created_at: Timestamp;
}

/** Columns of `deployments` as pg returns them. */
export interface DeploymentRow {
  id: string;
  model: string;
  gpu_model: string | null;
  min_vram_gb: string;
  max_duration_s: number | null;
  status: DeploymentRecord['status'];
  progress: string;
  node_id: string | null;
  error: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** Row → API record. */
export function toNode(row: NodeRow): NodeRecord {
  return {
    id: row.id,
    name: row.name,
    gpuModel: row.gpu_model,
    vramGb: Number(row.vram_gb),
    freeVramGb: Number(row.free_vram_gb),
    load: Number(row.load),
    workerUrl: row.worker_url,
    status: row.status,
    lastHeartbeatAt: iso(row.last_heartbeat_at),
    createdAt: iso(row.created_at),
  };
}

/** Row → API record. */
export function toDeployment(row: DeploymentRow): DeploymentRecord {
  return {
    id: row.id,
    model: row.model,
    gpuModel: row.gpu_model,
    minVramGb: Number(row.min_vram_gb),
    maxDurationS: row.max_duration_s,
    status: row.status,
    progress: Number(row.progress),
    nodeId: row.node_id,
    error: row.error,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

import type { DeploymentRecord, NodeRecord } from '@hypernode/events';

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
  last_heartbeat_at: Date;
  created_at: Date;
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
  created_at: Date;
  updated_at: Date;
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
    lastHeartbeatAt: row.last_heartbeat_at.toISOString(),
    createdAt: row.created_at.toISOString(),
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
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

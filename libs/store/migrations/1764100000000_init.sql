-- Up Migration
CREATE TABLE nodes (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL UNIQUE,
  gpu_model text NOT NULL,
  vram_gb numeric NOT NULL CHECK (vram_gb > 0),
  free_vram_gb numeric NOT NULL CHECK (free_vram_gb >= 0),
  load numeric NOT NULL DEFAULT 0 CHECK (load >= 0 AND load <= 1),
  worker_url text NOT NULL,
  status text NOT NULL DEFAULT 'online' CHECK (status IN ('online', 'offline')),
  last_heartbeat_at timestamptz NOT NULL DEFAULT now(),
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE deployments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  model text NOT NULL,
  gpu_model text,
  min_vram_gb numeric NOT NULL CHECK (min_vram_gb > 0),
  max_duration_s integer CHECK (max_duration_s > 0),
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'scheduled', 'running', 'completed', 'failed', 'cancelled')),
  progress numeric NOT NULL DEFAULT 0 CHECK (progress >= 0 AND progress <= 100),
  node_id uuid REFERENCES nodes (id),
  error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX deployments_by_created ON deployments (created_at DESC, id DESC);
CREATE INDEX deployments_by_status ON deployments (status, created_at DESC, id DESC);

-- The outbox: written in the same transaction as the change it describes; the relay
-- publishes rows in id order and stamps published_at.
CREATE TABLE events (
  id bigserial PRIMARY KEY,
  type text NOT NULL,
  topics text[] NOT NULL,
  data jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz
);
CREATE INDEX events_unpublished ON events (id) WHERE published_at IS NULL;

-- Down Migration
DROP TABLE events;
DROP TABLE deployments;
DROP TABLE nodes;

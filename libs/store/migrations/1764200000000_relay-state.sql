-- Up Migration
-- The stream epoch the relay last seeded each Redis stream with. The relay compares it with the
-- epoch key in Redis: a mismatch (Redis lost its data, or this database was reset under a
-- stream that outlived it) makes it re-seed the stream from this table's database.
CREATE TABLE relay_state (
  stream_key text PRIMARY KEY,
  epoch text NOT NULL,
  seeded_at timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE relay_state;

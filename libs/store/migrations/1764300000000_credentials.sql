-- Up Migration
-- Every secret is stored as sha256(secret) (bytea, 32 bytes) — except a node's dispatch secret,
-- which the automation engine must present to the worker and so is kept as is.
CREATE TABLE api_keys (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL,
  hash bytea UNIQUE NOT NULL CHECK (length(hash) = 32),
  scopes text[] NOT NULL CHECK (scopes <@ ARRAY['read', 'deploy', 'admin'] AND cardinality(scopes) > 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  expires_at timestamptz,
  revoked_at timestamptz
);

CREATE TABLE sessions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  hash bytea UNIQUE NOT NULL CHECK (length(hash) = 32),
  scopes text[] NOT NULL CHECK (scopes <@ ARRAY['read', 'deploy', 'admin']),
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  -- 'sign-in-token' or 'key:<api key id>' (a session made from a key ends with the key)
  source text NOT NULL CHECK (source = 'sign-in-token' OR source LIKE 'key:%')
);

CREATE TABLE sign_in_tokens (
  hash bytea PRIMARY KEY CHECK (length(hash) = 32),
  scopes text[] NOT NULL CHECK (scopes <@ ARRAY['read', 'deploy', 'admin']),
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);

CREATE TABLE join_tokens (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  hash bytea UNIQUE NOT NULL CHECK (length(hash) = 32),
  uses_left integer NOT NULL CHECK (uses_left >= 0),
  expires_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz
);

ALTER TABLE nodes ADD COLUMN credential_hash bytea UNIQUE CHECK (length(credential_hash) = 32);
ALTER TABLE nodes ADD COLUMN dispatch_secret text;

-- Down Migration
ALTER TABLE nodes DROP COLUMN dispatch_secret;
ALTER TABLE nodes DROP COLUMN credential_hash;
DROP TABLE join_tokens;
DROP TABLE sign_in_tokens;
DROP TABLE sessions;
DROP TABLE api_keys;

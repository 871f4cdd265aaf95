-- Up Migration
-- POST /deployments with an Idempotency-Key: the key, who sent it (keys are per caller: one
-- caller's key never reaches another's deployment) and a digest of the body it came with. A retry
-- with the same key and body — after a timeout, or a 503 whose COMMIT had got through — gets
-- the deployment the first request made, never a second one; the same key with another body is refused.
ALTER TABLE deployments
  ADD COLUMN idempotency_key text,
  ADD COLUMN idempotency_owner text,
  ADD COLUMN idempotency_digest text;
CREATE UNIQUE INDEX deployments_idempotency ON deployments (idempotency_owner, idempotency_key) WHERE idempotency_key IS NOT NULL;

-- Down Migration
DROP INDEX deployments_idempotency;
ALTER TABLE deployments DROP COLUMN idempotency_digest, DROP COLUMN idempotency_owner, DROP COLUMN idempotency_key;

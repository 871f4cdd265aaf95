-- Up Migration
-- W3C trace context (OpenTelemetry `traceparent`) of the work that wrote the row, when tracing
-- is on (NULL otherwise): the relay continues an outbox event's trace when it publishes it, and
-- the automation engine continues a deployment's trace (from its POST) when it schedules it.
ALTER TABLE events ADD COLUMN traceparent text;
ALTER TABLE deployments ADD COLUMN traceparent text;

-- Down Migration
ALTER TABLE deployments DROP COLUMN traceparent;
ALTER TABLE events DROP COLUMN traceparent;

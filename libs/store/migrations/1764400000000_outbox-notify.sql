-- Up Migration
-- Every statement that adds outbox rows notifies the relay on commit (NOTIFY is delivered only
-- when the transaction commits, and once per transaction), so events leave at once instead of
-- on the relay's next poll; the poll stays as the fallback.
CREATE FUNCTION notify_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('hypernode_outbox', '');
  RETURN NULL;
END;
$$;
CREATE TRIGGER events_notify_outbox AFTER INSERT ON events FOR EACH STATEMENT EXECUTE FUNCTION notify_outbox();

-- Down Migration
DROP TRIGGER IF EXISTS events_notify_outbox ON events;
DROP FUNCTION IF EXISTS notify_outbox();

-- +goose Up

-- The application's role. Migrations run as the owner of the tables;
-- `lindungi serve` and `lindungi worker` connect as a login role that is a
-- member of lindungi_app (README, "Database roles"). lindungi_app reads and
-- writes the tables it needs, and the audit trail only as an append:
--   * audit_events: read; a new event only through audit_append(), which
--     extends the chain by exactly one link and moves its head;
--   * audit_chain_head: read, and locked through audit_chain_lock();
--   * audit_checkpoints: read and insert (its triggers refuse the rest);
--   * the history tables: read; their triggers write them as the owner.
-- Not being the owner, it cannot alter a table, disable a trigger or
-- truncate; it is given no DELETE, UPDATE or TRUNCATE on the trail.
-- The role is cluster-wide: made here when missing (the owner then needs
-- CREATEROLE), or beforehand by an administrator.
-- +goose StatementBegin
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'lindungi_app') THEN
        CREATE ROLE lindungi_app NOLOGIN;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL; -- another database of the cluster made it meanwhile
END
$$;
-- +goose StatementEnd

GRANT USAGE ON SCHEMA public TO lindungi_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO lindungi_app;
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO lindungi_app;
-- Tables and sequences later migrations make get the same.
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO lindungi_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO lindungi_app;

REVOKE INSERT, UPDATE, DELETE ON goose_db_version FROM lindungi_app;
REVOKE INSERT, UPDATE, DELETE ON audit_events, audit_chain_head FROM lindungi_app;
REVOKE UPDATE, DELETE ON audit_checkpoints FROM lindungi_app;
REVOKE INSERT, UPDATE, DELETE ON workers_history, tasks_history, cases_history FROM lindungi_app;

-- The history triggers write as the owner, whoever changes the row.
ALTER FUNCTION workers_history_add() SECURITY DEFINER SET search_path = public, pg_temp;
ALTER FUNCTION tasks_history_add() SECURITY DEFINER SET search_path = public, pg_temp;
ALTER FUNCTION cases_history_add() SECURITY DEFINER SET search_path = public, pg_temp;

-- audit_chain_lock takes the chain head for the rest of the transaction and
-- returns it: the next event is seq + 1, chained to hash.
-- +goose StatementBegin
CREATE FUNCTION audit_chain_lock(OUT seq bigint, OUT hash bytea)
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT seq, hash FROM audit_chain_head WHERE id FOR UPDATE;
$$;
-- +goose StatementEnd

-- audit_append writes one event as the next link of the chain and moves the
-- head to it. The event must follow the head (chain_seq = head + 1,
-- prev_hash = head's hash); its hash is the application's (package
-- auditlog), which the verifier recomputes.
-- +goose StatementBegin
CREATE FUNCTION audit_append(
    p_id uuid, p_chain_seq bigint, p_occurred_at timestamptz, p_actor text, p_actor_unit text, p_actor_role text,
    p_action text, p_subject_type text, p_subject_id text, p_worker_id uuid, p_before jsonb, p_after jsonb,
    p_rule text, p_policy_version text, p_workflow_id text, p_run_id text, p_request_id text, p_purpose text,
    p_prev_hash bytea, p_hash bytea) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    head audit_chain_head;
BEGIN
    SELECT * INTO head FROM audit_chain_head WHERE id FOR UPDATE;
    IF p_chain_seq IS DISTINCT FROM head.seq + 1 OR p_prev_hash IS DISTINCT FROM head.hash THEN
        RAISE EXCEPTION 'audit_append: event % does not follow the chain head %', p_chain_seq, head.seq;
    END IF;
    INSERT INTO audit_events (id, chain_seq, occurred_at, actor, actor_unit, actor_role, action, subject_type, subject_id,
        worker_id, before, after, rule, policy_version, workflow_id, run_id, request_id, purpose, prev_hash, hash)
    VALUES (p_id, p_chain_seq, p_occurred_at, p_actor, p_actor_unit, p_actor_role, p_action, p_subject_type, p_subject_id,
        p_worker_id, p_before, p_after, p_rule, p_policy_version, p_workflow_id, p_run_id, p_request_id, p_purpose, p_prev_hash, p_hash);
    UPDATE audit_chain_head SET seq = p_chain_seq, hash = p_hash WHERE id;
END;
$$;
-- +goose StatementEnd

REVOKE ALL ON FUNCTION audit_chain_lock(), audit_append(uuid, bigint, timestamptz, text, text, text, text, text, text, uuid,
    jsonb, jsonb, text, text, text, text, text, text, bytea, bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION audit_chain_lock(), audit_append(uuid, bigint, timestamptz, text, text, text, text, text, text, uuid,
    jsonb, jsonb, text, text, text, text, text, text, bytea, bytea) TO lindungi_app;

-- +goose Down
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM lindungi_app;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM lindungi_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON TABLES FROM lindungi_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON SEQUENCES FROM lindungi_app;
REVOKE USAGE ON SCHEMA public FROM lindungi_app;
DROP FUNCTION audit_append;
DROP FUNCTION audit_chain_lock;
ALTER FUNCTION workers_history_add() SECURITY INVOKER RESET search_path;
ALTER FUNCTION tasks_history_add() SECURITY INVOKER RESET search_path;
ALTER FUNCTION cases_history_add() SECURITY INVOKER RESET search_path;

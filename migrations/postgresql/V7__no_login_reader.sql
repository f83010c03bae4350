-- Earlier versions made a cluster-wide LOGIN role stagehand_reader with the fixed password
-- 'reader'. It may log in no more: where this database user may alter roles (it needed
-- CREATEROLE then), its login is taken away here; otherwise a warning says which statement a
-- superuser should run. Nothing is created: stagehand needs no role but its owner.
DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'stagehand_reader' AND rolcanlogin) THEN
        IF EXISTS (SELECT FROM pg_roles WHERE rolname = current_user AND (rolsuper OR rolcreaterole)) THEN
            ALTER ROLE stagehand_reader NOLOGIN PASSWORD NULL;
        ELSE
            RAISE WARNING 'role stagehand_reader can log in with a well-known password; as a superuser run: ALTER ROLE stagehand_reader NOLOGIN PASSWORD NULL';
        END IF;
    END IF;
END
$$;

-- Snowflake set-up for the sql service (apps/sql, SOPHIA_SQL_WAREHOUSE=snowflake): a role that can
-- only read the semantic models' tables, on its own small warehouse with a statement timeout.
-- Run once as SECURITYADMIN/SYSADMIN; replace the names in <> (database/schema of the ledger's
-- USAGE_EVENTS and of the sales tables) and the public key. The service then connects with
--   SNOWFLAKE_USER=SOPHIA_SQL  SNOWFLAKE_ROLE=SOPHIA_SQL_READER  SNOWFLAKE_WAREHOUSE=SOPHIA_SQL_WH
-- Defence in depth behind the validator (one statement, SELECT only, allowlisted functions, tenant
-- filter): even a statement that slipped through could not write, read another table, use a stage
-- or an integration, or run for longer than the timeout.

USE ROLE SYSADMIN;
CREATE WAREHOUSE IF NOT EXISTS SOPHIA_SQL_WH
  WAREHOUSE_SIZE = XSMALL AUTO_SUSPEND = 60 AUTO_RESUME = TRUE INITIALLY_SUSPENDED = TRUE
  STATEMENT_TIMEOUT_IN_SECONDS = 300 STATEMENT_QUEUED_TIMEOUT_IN_SECONDS = 60;

USE ROLE SECURITYADMIN;
CREATE ROLE IF NOT EXISTS SOPHIA_SQL_READER COMMENT = 'sophia sql service: SELECT on the semantic models'' tables only';
GRANT USAGE ON WAREHOUSE SOPHIA_SQL_WH TO ROLE SOPHIA_SQL_READER;
GRANT USAGE ON DATABASE <SOPHIA_DB> TO ROLE SOPHIA_SQL_READER;
GRANT USAGE ON SCHEMA <SOPHIA_DB>.<LEDGER_SCHEMA> TO ROLE SOPHIA_SQL_READER;
-- Table by table: no ALL/FUTURE grants, so a new table is not readable until it is modelled.
GRANT SELECT ON TABLE <SOPHIA_DB>.<LEDGER_SCHEMA>.USAGE_EVENTS TO ROLE SOPHIA_SQL_READER;
GRANT USAGE ON SCHEMA <SOPHIA_DB>.<SALES_SCHEMA> TO ROLE SOPHIA_SQL_READER;
GRANT SELECT ON TABLE <SOPHIA_DB>.<SALES_SCHEMA>.ORDERS TO ROLE SOPHIA_SQL_READER;
GRANT SELECT ON TABLE <SOPHIA_DB>.<SALES_SCHEMA>.ORDER_ITEMS TO ROLE SOPHIA_SQL_READER;
GRANT SELECT ON TABLE <SOPHIA_DB>.<SALES_SCHEMA>.PRODUCTS TO ROLE SOPHIA_SQL_READER;

CREATE USER IF NOT EXISTS SOPHIA_SQL
  DEFAULT_ROLE = SOPHIA_SQL_READER DEFAULT_WAREHOUSE = SOPHIA_SQL_WH
  DEFAULT_SECONDARY_ROLES = ()            -- only the reader role, never the user's other roles
  RSA_PUBLIC_KEY = '<public key, PEM body>'
  COMMENT = 'sophia sql service (key-pair auth only)';
GRANT ROLE SOPHIA_SQL_READER TO USER SOPHIA_SQL;
ALTER USER SOPHIA_SQL SET STATEMENT_TIMEOUT_IN_SECONDS = 300;

-- Check: SHOW GRANTS TO ROLE SOPHIA_SQL_READER;  must list USAGE (warehouse, database, schemas) and
-- SELECT on the tables above, nothing else (no OWNERSHIP, CREATE, INSERT, stage or integration usage).

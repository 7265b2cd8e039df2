-- API apps get a client secret of their own, as in ZITADEL: their
-- configuration row holds its hash, as oidc_configs does for OIDC apps
-- (doc/database.md).  Forward only; an existing database keeps its data.
--
-- API apps that exist already get their configuration row, with their app
-- ID as client ID (ZITADEL's newer client IDs are plain IDs as well) and
-- no secret yet: the first regeneration makes one.

CREATE TABLE IF NOT EXISTS api_configs (
  app_id VARBINARY(800) NOT NULL PRIMARY KEY,
  client_id VARBINARY(800) NOT NULL,
  auth_method ENUM('basic','private_key_jwt') NOT NULL DEFAULT 'basic',
  client_secret_hash VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NULL,
  secret_change_date DATETIME(6) NULL,
  UNIQUE KEY api_configs_client_id (client_id),
  CONSTRAINT api_configs_app FOREIGN KEY (app_id) REFERENCES apps (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

INSERT IGNORE INTO api_configs (app_id, client_id, auth_method)
  SELECT id, id, 'basic' FROM apps WHERE app_type = 'api';

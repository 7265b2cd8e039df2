-- oidc-secret schema (doc/database.md).  MariaDB 10.11 and MySQL 8, InnoDB,
-- utf8mb4, times in UTC as DATETIME(6).
--
-- IDs are VARBINARY(800): up to 200 characters of UTF-8, compared byte for
-- byte.  A VARCHAR in a PAD SPACE collation would let "42 " name "42", and
-- a _ci collation "Ab" name "ab".

CREATE TABLE IF NOT EXISTS schema_migrations (
  version INT UNSIGNED NOT NULL PRIMARY KEY,
  name VARCHAR(255) NOT NULL,
  applied_at DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS orgs (
  id VARBINARY(800) NOT NULL PRIMARY KEY,
  name VARCHAR(200) NOT NULL,
  state ENUM('active','inactive','removed') NOT NULL DEFAULT 'active',
  creation_date DATETIME(6) NOT NULL,
  change_date DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS users (
  id VARBINARY(800) NOT NULL PRIMARY KEY,
  resource_owner VARBINARY(800) NOT NULL,
  username VARCHAR(200) NOT NULL,
  state ENUM('active','inactive','locked','removed') NOT NULL DEFAULT 'active',
  KEY users_owner (resource_owner),
  CONSTRAINT users_org FOREIGN KEY (resource_owner) REFERENCES orgs (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS role_permissions (
  role VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  permission VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  PRIMARY KEY (role, permission),
  KEY role_permissions_permission (permission, role)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS memberships (
  user_id VARBINARY(800) NOT NULL,
  scope ENUM('instance','org','project') NOT NULL,
  scope_id VARBINARY(800) NOT NULL DEFAULT '',
  role VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  PRIMARY KEY (user_id, scope, scope_id, role),
  CONSTRAINT memberships_user FOREIGN KEY (user_id) REFERENCES users (id)
    ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS access_tokens (
  token_sha256 CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
  user_id VARBINARY(800) NOT NULL,
  token_type ENUM('access','pat') NOT NULL DEFAULT 'access',
  audience VARCHAR(2048) NOT NULL DEFAULT '',
  scopes VARCHAR(2048) NOT NULL DEFAULT '',
  expires_at DATETIME(6) NULL,
  revoked_at DATETIME(6) NULL,
  creation_date DATETIME(6) NOT NULL,
  KEY access_tokens_user (user_id),
  CONSTRAINT access_tokens_user FOREIGN KEY (user_id) REFERENCES users (id)
    ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS projects (
  id VARBINARY(800) NOT NULL PRIMARY KEY,
  resource_owner VARBINARY(800) NOT NULL,
  name VARCHAR(200) NOT NULL,
  state ENUM('active','inactive','removed') NOT NULL DEFAULT 'active',
  sequence BIGINT UNSIGNED NOT NULL DEFAULT 0,
  creation_date DATETIME(6) NOT NULL,
  change_date DATETIME(6) NOT NULL,
  KEY projects_owner (resource_owner),
  CONSTRAINT projects_org FOREIGN KEY (resource_owner) REFERENCES orgs (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS apps (
  id VARBINARY(800) NOT NULL PRIMARY KEY,
  project_id VARBINARY(800) NOT NULL,
  name VARCHAR(200) NOT NULL,
  app_type ENUM('oidc','api','saml') NOT NULL,
  state ENUM('active','inactive','removed') NOT NULL DEFAULT 'active',
  creation_date DATETIME(6) NOT NULL,
  change_date DATETIME(6) NOT NULL,
  KEY apps_project (project_id),
  CONSTRAINT apps_project FOREIGN KEY (project_id) REFERENCES projects (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS oidc_configs (
  app_id VARBINARY(800) NOT NULL PRIMARY KEY,
  client_id VARBINARY(800) NOT NULL,
  auth_method ENUM('basic','post','none','private_key_jwt') NOT NULL DEFAULT 'basic',
  client_secret_hash VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NULL,
  secret_change_date DATETIME(6) NULL,
  UNIQUE KEY oidc_configs_client_id (client_id),
  CONSTRAINT oidc_configs_app FOREIGN KEY (app_id) REFERENCES apps (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS events (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  aggregate_type VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  aggregate_id VARBINARY(800) NOT NULL,
  sequence BIGINT UNSIGNED NOT NULL,
  event_type VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  resource_owner VARBINARY(800) NOT NULL,
  editor_user VARBINARY(800) NOT NULL,
  creation_date DATETIME(6) NOT NULL,
  payload JSON NOT NULL,
  UNIQUE KEY events_aggregate_sequence (aggregate_type, aggregate_id, sequence)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

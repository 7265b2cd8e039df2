-- Machine users (service accounts) that sign in with a client secret or a
-- key; client secrets that rotate with a grace period; events that say
-- which request wrote them (doc/database.md).  Forward only: a populated
-- database keeps its data, every existing user is a human one.

-- A machine user's username is its OAuth client_id: unique among machine
-- users and compared byte for byte (client_id), as IDs are.  Its secret is
-- hashed as an app's; the previous hash stays valid until
-- previous_secret_until (the database's clock) when secrets rotate with a
-- grace period.  sequence numbers the user aggregate's events.
ALTER TABLE users
  ADD COLUMN user_type ENUM('human','machine') NOT NULL DEFAULT 'human',
  ADD COLUMN sequence BIGINT UNSIGNED NOT NULL DEFAULT 0,
  ADD COLUMN creation_date DATETIME(6) NULL,
  ADD COLUMN change_date DATETIME(6) NULL,
  ADD COLUMN secret_hash VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NULL,
  ADD COLUMN secret_change_date DATETIME(6) NULL,
  ADD COLUMN previous_secret_hash VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NULL,
  ADD COLUMN previous_secret_until DATETIME(6) NULL,
  ADD COLUMN client_id VARBINARY(800)
    GENERATED ALWAYS AS (IF(user_type = 'machine', CAST(username AS BINARY), NULL)) STORED,
  ADD UNIQUE KEY users_client_id (client_id);

-- A machine user's public keys, for RFC 7523 JWT bearer assertions.  The
-- key is stored as canonical SubjectPublicKeyInfo PEM; no private key is
-- ever stored (doc/keys.md).
CREATE TABLE IF NOT EXISTS machine_keys (
  id VARBINARY(800) NOT NULL PRIMARY KEY,
  user_id VARBINARY(800) NOT NULL,
  key_type ENUM('json') NOT NULL DEFAULT 'json',
  public_key TEXT CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  expiration_date DATETIME(6) NOT NULL,
  creation_date DATETIME(6) NOT NULL,
  KEY machine_keys_user (user_id),
  CONSTRAINT machine_keys_user FOREIGN KEY (user_id) REFERENCES users (id)
    ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- The previous client secret of an app, valid until previous_secret_until.
ALTER TABLE oidc_configs
  ADD COLUMN previous_secret_hash VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NULL,
  ADD COLUMN previous_secret_until DATETIME(6) NULL;
ALTER TABLE api_configs
  ADD COLUMN previous_secret_hash VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NULL,
  ADD COLUMN previous_secret_until DATETIME(6) NULL;

-- The request that wrote an event: after a connection lost during COMMIT
-- the responder looks for its own event to know whether the change landed.
ALTER TABLE events
  ADD COLUMN request_id CHAR(16) CHARACTER SET ascii COLLATE ascii_bin NULL;

-- ZITADEL's roles that may manage users (machine users' secrets and keys),
-- each at its own scope.
INSERT IGNORE INTO role_permissions (role, permission, scope) VALUES
  ('IAM_OWNER', 'user.write', 'instance'),
  ('IAM_OWNER', 'user.read', 'instance'),
  ('IAM_USER_MANAGER', 'user.write', 'instance'),
  ('IAM_USER_MANAGER', 'user.read', 'instance'),
  ('ORG_OWNER', 'user.write', 'org'),
  ('ORG_OWNER', 'user.read', 'org');

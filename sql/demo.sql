-- Demo data: an organisation, its owner, a project with an OIDC app and an
-- API app.  Idempotent.  The owner's access token is issued separately
-- (oidc-secret-admin token issue), so no token is ever written in a file.
SET @now = UTC_TIMESTAMP(6);

INSERT IGNORE INTO orgs (id, name, state, creation_date, change_date) VALUES
  ('69629023906488334', 'Demo Org', 'active', @now, @now);

INSERT IGNORE INTO users (id, resource_owner, username, state) VALUES
  ('69629026806489455', '69629023906488334', 'demo-owner', 'active');

INSERT IGNORE INTO memberships (user_id, scope, scope_id, role) VALUES
  ('69629026806489455', 'org', '69629023906488334', 'ORG_OWNER');

INSERT IGNORE INTO projects (id, resource_owner, name, state, sequence, creation_date, change_date) VALUES
  ('69629026806489512', '69629023906488334', 'Demo Project', 'active', 1, @now, @now);

INSERT IGNORE INTO events (aggregate_type, aggregate_id, sequence, event_type, resource_owner, editor_user, creation_date, payload) VALUES
  ('project', '69629026806489512', 1, 'project.added', '69629023906488334', '69629026806489455', @now, JSON_OBJECT('name', 'Demo Project'));

INSERT IGNORE INTO apps (id, project_id, name, app_type, state, creation_date, change_date) VALUES
  ('69629026806489623', '69629026806489512', 'Demo Web App', 'oidc', 'active', @now, @now),
  ('69629026806489734', '69629026806489512', 'Demo API', 'api', 'active', @now, @now);

INSERT IGNORE INTO oidc_configs (app_id, client_id, auth_method) VALUES
  ('69629026806489623', '69629026806489623@demo', 'basic');

INSERT IGNORE INTO api_configs (app_id, client_id, auth_method) VALUES
  ('69629026806489734', '69629026806489734', 'basic');

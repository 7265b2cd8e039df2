-- ZITADEL's roles and the permissions this service looks at.  The roles
-- holding project.app.write may regenerate a client secret; the others are
-- seeded so that granting them is meaningful and visibly not enough.
INSERT IGNORE INTO role_permissions (role, permission) VALUES
  ('IAM_OWNER', 'project.app.write'),
  ('IAM_OWNER', 'project.app.read'),
  ('IAM_ORG_MANAGER', 'project.app.write'),
  ('IAM_ORG_MANAGER', 'project.app.read'),
  ('ORG_OWNER', 'project.app.write'),
  ('ORG_OWNER', 'project.app.read'),
  ('PROJECT_OWNER', 'project.app.write'),
  ('PROJECT_OWNER', 'project.app.read'),
  ('PROJECT_OWNER_GLOBAL', 'project.app.write'),
  ('PROJECT_OWNER_GLOBAL', 'project.app.read'),
  ('IAM_OWNER_VIEWER', 'project.app.read'),
  ('ORG_OWNER_VIEWER', 'project.app.read'),
  ('ORG_USER_MANAGER', 'user.write'),
  ('ORG_USER_MANAGER', 'user.read'),
  ('PROJECT_OWNER_VIEWER', 'project.app.read'),
  ('PROJECT_OWNER_VIEWER_GLOBAL', 'project.app.read');

-- Each role belongs to one scope, as in ZITADEL: IAM_* roles to the
-- instance, ORG_* roles to an organisation, PROJECT_* roles to a project
-- (doc/database.md, "Roles and their scopes").  A membership grants its
-- role's permissions only at the role's own scope: the responder joins
-- memberships to role_permissions on the role and the scope, so a
-- membership held at another scope grants nothing from now on.  Forward
-- only: no row is deleted; oidc-secret-admin migrate lists the memberships
-- this disarms, with what to run instead.
--
-- The scope is a column of role_permissions, the same in every row of a
-- role: the responder's grant on role_permissions reaches it, so no new
-- GRANT is needed, and (role, permission) mean what they meant.  A role
-- of none of the three families (a site's own) has no scope, and grants
-- nothing, until it is given one.
--
-- IF NOT EXISTS lets a rerun complete a failed run; it is MariaDB's, and
-- MySQL 8 reads the /*M! ... */ around it as a comment.

ALTER TABLE role_permissions
  ADD COLUMN /*M! IF NOT EXISTS */ scope ENUM('instance','org','project') NULL;

UPDATE role_permissions SET scope = 'instance'
  WHERE scope IS NULL AND LEFT(role, 4) = 'IAM_';
UPDATE role_permissions SET scope = 'org'
  WHERE scope IS NULL AND LEFT(role, 4) = 'ORG_';
UPDATE role_permissions SET scope = 'project'
  WHERE scope IS NULL AND LEFT(role, 8) = 'PROJECT_';

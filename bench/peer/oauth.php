<?php
// The PHP peer of oidc-secret's OAuth endpoints: what a PHP programmer
// would write for
//   POST /oauth/v2/token       client_credentials (RFC 6749 4.4), a machine
//                              user's client ID and secret, Basic or body
//   POST /oauth/v2/introspect  RFC 7662, an API app's client ID and secret
// with PDO (a persistent connection per process) against the same schema,
// password_verify() on the stored hash at every request, one statement per
// lookup.  Same answers as oidc-secret for what bench/run compares: the
// tokens' form and rows, the introspection bodies, the refusals.  No JWT
// bearer grant here: bench/run does not measure it.
//
// Its settings are the file named by OIDC_PEER_CONFIG (bench/bench.py
// writes it; regen.php reads the same one): dsn, user, password,
// api_project_id, issuer, access_token_lifetime_s, persistent.

const OAUTH_ERRORS = [
    'media_type' => [400, 'invalid_request', 'the body must be application/x-www-form-urlencoded'],
    'missing' => [400, 'invalid_request', 'a required parameter is missing'],
    'two_auths' => [400, 'invalid_request', 'the client authenticated in more than one way'],
    'grant_type' => [400, 'unsupported_grant_type',
        'grant_type must be client_credentials or urn:ietf:params:oauth:grant-type:jwt-bearer'],
    'client' => [401, 'invalid_client', 'client authentication failed'],
    'scope' => [400, 'invalid_scope', 'a scope is malformed or names no project'],
    'server' => [500, 'server_error', 'internal error'],
    'unavailable' => [503, 'temporarily_unavailable', 'service unavailable, try again'],
];
const ZITADEL_AUD = 'urn:zitadel:iam:org:project:id:zitadel:aud';
const TOKEN_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

const SQL_MACHINE = "SELECT u.id, u.state = 'active' AND o.state = 'active', u.secret_hash,"
    . " IF(u.previous_secret_until > UTC_TIMESTAMP(6), u.previous_secret_hash, NULL)"
    . " FROM users u JOIN orgs o ON o.id = u.resource_owner WHERE u.client_id = ?";
const SQL_API_APP = "SELECT a.id, a.state = 'active' AND p.state = 'active' AND o.state = 'active',"
    . " p.id, c.client_secret_hash,"
    . " IF(c.previous_secret_until > UTC_TIMESTAMP(6), c.previous_secret_hash, NULL)"
    . " FROM api_configs c JOIN apps a ON a.id = c.app_id JOIN projects p ON p.id = a.project_id"
    . " JOIN orgs o ON o.id = p.resource_owner WHERE c.client_id = ? AND a.app_type = 'api'";
const SQL_PROJECT = "SELECT 1 FROM projects WHERE id = ? AND state = 'active'";
const SQL_TOKEN_ADD = "INSERT INTO access_tokens (token_sha256, user_id, token_type, audience,"
    . " scopes, expires_at, creation_date) VALUES (?, ?, 'access', ?, ?, ?, ?)";
const SQL_TOKEN = "SELECT t.user_id, t.audience, t.scopes,"
    . " t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > UTC_TIMESTAMP(6)),"
    . " u.state = 'active' AND o.state = 'active', u.user_type = 'machine', u.username,"
    . " t.creation_date, t.expires_at"
    . " FROM access_tokens t JOIN users u ON u.id = t.user_id"
    . " JOIN orgs o ON o.id = u.resource_owner WHERE t.token_sha256 = ?";

class OAuthRefusal extends Exception {}

function oauth_answer(int $status, array $body, array $headers = []): void
{
    http_response_code($status);
    header('Content-Type: application/json');
    header('Cache-Control: no-store');
    header('Pragma: no-cache');
    header('X-Content-Type-Options: nosniff');
    foreach ($headers as $h) {
        header($h);
    }
    echo json_encode($body, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE);
}

function oauth_refuse(string $kind): never
{
    throw new OAuthRefusal($kind);
}

// One row, or null.
function oauth_row(PDO $db, string $sql, array $params): ?array
{
    $st = $db->prepare($sql);
    $st->execute($params);
    $r = $st->fetch(PDO::FETCH_NUM);
    $st->closeCursor();
    return $r === false ? null : $r;
}

function oauth_db(array $cfg): PDO
{
    try {
        return new PDO($cfg['dsn'], $cfg['user'], $cfg['password'], [
            PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION,
            PDO::ATTR_PERSISTENT => $cfg['persistent'],
        ]);
    } catch (PDOException $e) {
        oauth_refuse('unavailable');
    }
}

// The client's ID and secret from HTTP Basic (each form-urlencoded: RFC
// 6749 2.3.1) or from the body; [id, secret, whether Basic was used].
function client_credentials(): array
{
    $basic = isset($_SERVER['PHP_AUTH_USER']);
    $in_body = isset($_POST['client_secret']);
    if ($basic && $in_body) {
        oauth_refuse('two_auths');
    }
    if ($basic) {
        return [urldecode($_SERVER['PHP_AUTH_USER']), urldecode($_SERVER['PHP_AUTH_PW'] ?? ''), true];
    }
    if (!isset($_POST['client_id']) || !$in_body) {
        oauth_refuse('client');
    }
    return [$_POST['client_id'], $_POST['client_secret'], false];
}

// The secret against the stored hash and, while its grace lasts, the one before.
function secret_ok(string $secret, ?string $hash, ?string $previous): bool
{
    return ($hash !== null && password_verify($secret, $hash))
        || ($previous !== null && password_verify($secret, $previous));
}

function token(array $cfg): array
{
    if (!isset($_POST['grant_type'])) {
        oauth_refuse('missing');
    }
    if ($_POST['grant_type'] !== 'client_credentials') {
        oauth_refuse('grant_type');
    }
    [$id, $secret, $basic] = client_credentials();
    $GLOBALS['oauth_basic'] = $basic;
    $db = oauth_db($cfg);
    $user = oauth_row($db, SQL_MACHINE, [$id]);
    if ($user === null || !secret_ok($secret, $user[2], $user[3]) || !$user[1]) {
        oauth_refuse('client');
    }

    // Scopes: ZITADEL's project audiences and openid; others left out.
    $audience = [];
    $granted = [];
    foreach (explode(' ', $_POST['scope'] ?? '') as $scope) {
        if ($scope === '') {
            continue;
        }
        if (!preg_match('/^[\x21\x23-\x5b\x5d-\x7e]+$/', $scope)) {
            oauth_refuse('scope');
        }
        if ($scope === 'openid') {
            $granted[] = $scope;
            continue;
        }
        if (!preg_match('/^urn:zitadel:iam:org:project:id:(.+):aud$/', $scope, $m)) {
            continue;
        }
        if ($scope === ZITADEL_AUD) {
            $project = $cfg['api_project_id'];
        } else {
            $project = $m[1];
            if (oauth_row($db, SQL_PROJECT, [$project]) === null) {
                oauth_refuse('scope');
            }
        }
        if (!in_array($project, $audience, true)) {
            $audience[] = $project;
        }
        if (!in_array($scope, $granted, true)) {
            $granted[] = $scope;
        }
    }

    $token = '';
    for ($i = 0; $i < 43; $i++) {
        $token .= TOKEN_ALPHABET[random_int(0, 61)];
    }
    $now = new DateTimeImmutable('now', new DateTimeZone('UTC'));
    $lifetime = $cfg['access_token_lifetime_s'];
    $db->prepare(SQL_TOKEN_ADD)->execute([hash('sha256', $token), $user[0],
        implode(' ', $audience), implode(' ', $granted),
        $now->modify("+$lifetime seconds")->format('Y-m-d H:i:s.u'), $now->format('Y-m-d H:i:s.u')]);
    $answer = ['access_token' => $token, 'token_type' => 'Bearer', 'expires_in' => $lifetime];
    if ($granted) {
        $answer['scope'] = implode(' ', $granted);
    }
    return $answer;
}

// A DATETIME(6) the database holds in UTC, as seconds since the epoch.
function unix_time(string $t): int
{
    return (new DateTimeImmutable($t, new DateTimeZone('UTC')))->getTimestamp();
}

function introspect(array $cfg): array
{
    [$id, $secret, $basic] = client_credentials();
    $GLOBALS['oauth_basic'] = $basic;
    $db = oauth_db($cfg);
    $app = oauth_row($db, SQL_API_APP, [$id]);
    if ($app === null || !secret_ok($secret, $app[3], $app[4]) || !$app[1]) {
        oauth_refuse('client');
    }
    if (!isset($_POST['token'])) {
        oauth_refuse('missing');
    }
    // RFC 7662 2.2: whatever is wrong with it, just "not active".
    $inactive = ['active' => false];
    $token = $_POST['token'];
    if (strlen($token) > 4096 || !preg_match('#^[A-Za-z0-9\-._~+/=]+$#', $token)) {
        return $inactive;
    }
    $t = oauth_row($db, SQL_TOKEN, [hash('sha256', $token)]);
    if ($t === null || !$t[3] || !$t[4] || !in_array($app[2], explode(' ', $t[1]), true)) {
        return $inactive;
    }
    $answer = ['active' => true];
    if ($t[2] !== '') {
        $answer['scope'] = $t[2];
    }
    if ($t[5]) {
        $answer['client_id'] = $t[6];
    }
    $answer += ['username' => $t[6], 'token_type' => 'Bearer'];
    if ($t[8] !== null) {
        $answer['exp'] = unix_time($t[8]);
    }
    return $answer + ['iat' => unix_time($t[7]), 'sub' => $t[0],
        'aud' => array_values(array_filter(explode(' ', $t[1]), 'strlen')),
        'iss' => rtrim($cfg['issuer'], '/')];
}

$GLOBALS['oauth_basic'] = false;
$path = parse_url($_SERVER['REQUEST_URI'] ?? '/', PHP_URL_PATH) ?? '/';
try {
    $cfg = require($_SERVER['OIDC_PEER_CONFIG'] ?? getenv('OIDC_PEER_CONFIG'));
    if (strtolower(strtok($_SERVER['CONTENT_TYPE'] ?? '', "; \t")) !== 'application/x-www-form-urlencoded') {
        oauth_refuse('media_type');
    }
    $answer = $path === '/oauth/v2/token' ? token($cfg) : introspect($cfg);
    oauth_answer(200, $answer);
} catch (OAuthRefusal $e) {
    [$status, $code, $text] = OAUTH_ERRORS[$e->getMessage()];
    $challenge = $status === 401 && $GLOBALS['oauth_basic']
        ? ['WWW-Authenticate: Basic realm="oidc-secret", charset="UTF-8"'] : [];
    oauth_answer($status, ['error' => $code, 'error_description' => $text], $challenge);
} catch (Throwable $e) {
    [$status, $code, $text] = OAUTH_ERRORS['server'];
    oauth_answer($status, ['error' => $code, 'error_description' => $text]);
}

<?php
// The PHP peer: what a shared-hosting user would write instead of
// oidc-secret for the REST call
//   POST /management/v1/projects/{p}/apps/{a}/oidc_config/_generate_client_secret
// with PDO against the same schema and password_hash() with the same
// algorithm and cost.  Same checks in the same order, one transaction, the
// same JSON answer and error bodies.  bench/run runs it
// under php-fpm behind lighttpd and as plain CGI (php-cgi under mod_cgi),
// side by side with oidc-secret.
//
// Its settings are a PHP file returning an array (bench/bench.py writes
// one), named by OIDC_PEER_CONFIG: dsn, user, password, api_project_id,
// hash ('bcrypt' or 'argon2id'), bcrypt_cost, argon2_memory_kib,
// argon2_iterations, argon2_parallelism, secret_length, persistent.

const ERRORS = [
    'auth_missing' => [16, 'AUTH-7fs1e', 'auth header missing'],
    'token_invalid' => [16, 'AUTH-7fs1e', 'Token is invalid'],
    'org_not_found' => [7, 'AUTH-Bs7Ds', "Organisation doesn't exist"],
    'id_missing' => [3, 'COMMAND-99i83', 'ID missing'],
    'invalid_argument' => [3, 'OSF-VAL01', 'invalid argument'],
    'permission_denied' => [7, 'AUTH-5mWD2', 'No matching permissions found'],
    'app_not_found' => [5, 'COMMAND-2g66f', "Application doesn't exist"],
    'app_not_oidc' => [3, 'COMMAND-Ghrh3', 'Application is not type OIDC'],
    'unavailable' => [14, 'OSF-DB001', 'service unavailable, try again'],
    'internal' => [13, 'OSF-INT01', 'internal error'],
    'route_not_found' => [5, 'OSF-RT404', 'unknown path'],
    'method_not_allowed' => [12, 'OSF-RT405', 'method not allowed', 405],
    'body_too_large' => [3, 'OSF-RQ413', 'request body too large', 413],
    'bad_body' => [3, 'OSF-RQ400', 'invalid request body'],
    'media_type' => [3, 'OSF-RQ415', 'unsupported content type, use application/json', 415],
];
// grpc-gateway's HTTP status for a gRPC code.
const HTTP_STATUS = [3 => 400, 5 => 404, 7 => 403, 12 => 501, 13 => 500, 14 => 503, 16 => 401];

// One statement per check, a locking read of the sequence, then the change:
// what a PHP author writes, and what oidc-secret's store ran before it was
// tuned to one lookup and a single-table transaction (src/store.c).
const SQL_TOKEN = "SELECT t.user_id, u.resource_owner, t.token_type = 'pat', t.audience"
    . " FROM access_tokens t JOIN users u ON u.id = t.user_id"
    . " JOIN orgs o ON o.id = u.resource_owner"
    . " WHERE t.token_sha256 = ? AND t.revoked_at IS NULL"
    . " AND (t.expires_at IS NULL OR t.expires_at > UTC_TIMESTAMP(6))"
    . " AND u.state = 'active' AND o.state = 'active'";
const SQL_ORG = "SELECT 1 FROM orgs WHERE id = ? AND state = 'active'";
const SQL_PERMISSION = "SELECT 1 FROM memberships m"
    . " JOIN role_permissions r ON r.role = m.role"
    . " WHERE m.user_id = ? AND r.permission = ?"
    . " AND ((m.scope = 'instance' AND m.scope_id = '')"
    . " OR (m.scope = 'org' AND m.scope_id = ?)"
    . " OR (m.scope = 'project' AND m.scope_id = ?)) LIMIT 1";
const SQL_APP = "SELECT a.app_type = 'oidc', a.creation_date, p.resource_owner"
    . " FROM apps a JOIN projects p ON p.id = a.project_id"
    . " WHERE a.id = ? AND a.project_id = ? AND p.resource_owner = ?"
    . " AND p.state <> 'removed' AND a.state <> 'removed'";
const SQL_LOCK_PROJECT = "SELECT sequence FROM projects WHERE id = ? FOR UPDATE";
const SQL_SET_SECRET = "UPDATE oidc_configs o JOIN apps a ON a.id = o.app_id"
    . " SET o.client_secret_hash = ?, o.secret_change_date = ?, a.change_date = ?"
    . " WHERE o.app_id = ?";
const SQL_BUMP_PROJECT = "UPDATE projects SET sequence = ?, change_date = ? WHERE id = ?";
const SQL_EVENT = "INSERT INTO events (aggregate_type, aggregate_id, sequence,"
    . " event_type, resource_owner, editor_user, creation_date, payload)"
    . " VALUES ('project', ?, ?, 'project.application.config.oidc.secret.changed', ?, ?, ?,"
    . " JSON_OBJECT('appId', ?, 'hashedSecret', ?))";

class Refusal extends Exception {}

function answer(int $status, string $body, array $headers = []): void
{
    http_response_code($status);
    header('Content-Type: application/json');
    header('Cache-Control: no-store');
    header('Pragma: no-cache');
    header('X-Content-Type-Options: nosniff');
    foreach ($headers as $h) {
        header($h);
    }
    echo $body;
}

function refuse(string $kind): never
{
    throw new Refusal($kind);
}

function error_body(string $kind): string
{
    [$code, $id, $text] = ERRORS[$kind];
    return json_encode(['code' => $code, 'message' => "$text ($id)", 'details' => [[
        '@type' => 'type.googleapis.com/zitadel.v1.ErrorDetail', 'id' => $id, 'message' => $text]]],
        JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE);
}

// One row, or null.
function row(PDO $db, string $sql, array $params): ?array
{
    $st = $db->prepare($sql);
    $st->execute($params);
    $r = $st->fetch(PDO::FETCH_NUM);
    $st->closeCursor();
    return $r === false ? null : $r;
}

// Up to 200 characters of UTF-8, no control characters.
function id_ok(string $id): bool
{
    return preg_match('/^[^\x{0}-\x{1f}\x{7f}-\x{9f}]{1,200}$/u', $id) === 1;
}

// DATETIME(6) as protobuf JSON writes a Timestamp: 0, 3 or 6 digits.
function rfc3339(string $t): string
{
    [$s, $frac] = explode('.', $t) + [1 => ''];
    $frac = str_pad($frac, 6, '0');
    if ($frac === '000000') {
        $frac = '';
    } elseif (substr($frac, 3) === '000') {
        $frac = '.' . substr($frac, 0, 3);
    } else {
        $frac = ".$frac";
    }
    return str_replace(' ', 'T', $s) . $frac . 'Z';
}

function new_secret(int $n): string
{
    $abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
    $s = '';
    for ($i = 0; $i < $n; $i++) {
        $s .= $abc[random_int(0, 61)];
    }
    return $s;
}

function hash_secret(array $cfg, string $secret): string
{
    if ($cfg['hash'] === 'bcrypt') {
        return password_hash($secret, PASSWORD_BCRYPT, ['cost' => $cfg['bcrypt_cost']]);
    }
    return password_hash($secret, PASSWORD_ARGON2ID, ['memory_cost' => $cfg['argon2_memory_kib'],
        'time_cost' => $cfg['argon2_iterations'], 'threads' => $cfg['argon2_parallelism']]);
}

function regenerate(array $cfg, string $project, string $app): array
{
    if (($_SERVER['REQUEST_METHOD'] ?? '') !== 'POST') {
        refuse('method_not_allowed');
    }
    $ct = $_SERVER['CONTENT_TYPE'] ?? '';
    if ($ct !== '' && strtolower(strtok($ct, "; \t")) !== 'application/json') {
        refuse('media_type');
    }
    if ((int)($_SERVER['CONTENT_LENGTH'] ?? 0) > 65536) {
        refuse('body_too_large');
    }
    $body = file_get_contents('php://input', false, null, 0, 65537);
    if (strlen($body) > 65536) {
        refuse('body_too_large');
    }
    if (trim($body) !== '' && !is_object(json_decode($body))) {
        refuse('bad_body');
    }

    // Authenticate: the token's SHA-256, its user and org active, the audience.
    $auth = $_SERVER['HTTP_AUTHORIZATION'] ?? '';
    if (!preg_match('/^bearer[ \t]+(.*?)[ \t]*$/is', $auth, $m)) {
        refuse('auth_missing');
    }
    $token = $m[1];
    if ($token === '' || strlen($token) > 4096 || !preg_match('#^[A-Za-z0-9\-._~+/=]+$#', $token)) {
        refuse('token_invalid');
    }
    try {
        $db = new PDO($cfg['dsn'], $cfg['user'], $cfg['password'], [
            PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION,
            PDO::ATTR_PERSISTENT => $cfg['persistent'],
        ]);
    } catch (PDOException $e) {
        refuse('unavailable');
    }
    $tok = row($db, SQL_TOKEN, [hash('sha256', $token)]);
    if ($tok === null) {
        refuse('token_invalid');
    }
    [$user, $user_org, $pat, $audience] = $tok;
    if (!$pat && !in_array($cfg['api_project_id'], explode(' ', $audience), true)) {
        refuse('token_invalid');
    }

    // The acting organisation.
    $org = $_SERVER['HTTP_X_ZITADEL_ORGID'] ?? '';
    if ($org === '') {
        $org = $user_org;
    } elseif (!id_ok($org) || row($db, SQL_ORG, [$org]) === null) {
        refuse('org_not_found');
    }

    if ($project === '' || $app === '') {
        refuse('id_missing');
    }
    if (!id_ok($project) || !id_ok($app)) {
        refuse('invalid_argument');
    }
    if (row($db, SQL_PERMISSION, [$user, 'project.app.write', $org, $project]) === null) {
        refuse('permission_denied');
    }
    $found = row($db, SQL_APP, [$app, $project, $org]);
    if ($found === null) {
        refuse('app_not_found');
    }
    if (!$found[0]) {
        refuse('app_not_oidc');
    }

    // Hash first, then one short transaction.
    $secret = new_secret($cfg['secret_length']);
    $hash = hash_secret($cfg, $secret);
    for ($attempt = 1; ; $attempt++) {
        try {
            $db->beginTransaction();
            $seq = row($db, SQL_LOCK_PROJECT, [$project]);
            $found = row($db, SQL_APP, [$app, $project, $org]);
            if ($seq === null || $found === null || !$found[0]) {
                $db->rollBack();
                refuse($found !== null && !$found[0] ? 'app_not_oidc' : 'app_not_found');
            }
            $seq = (int)$seq[0] + 1;
            $now = (new DateTimeImmutable('now', new DateTimeZone('UTC')))->format('Y-m-d H:i:s.u');
            $st = $db->prepare(SQL_SET_SECRET);
            $st->execute([$hash, $now, $now, $app]);
            if ($st->rowCount() === 0) {
                $db->rollBack();
                refuse('internal');
            }
            $db->prepare(SQL_BUMP_PROJECT)->execute([$seq, $now, $project]);
            $db->prepare(SQL_EVENT)->execute([$project, $seq, $found[2], $user, $now, $app, $hash]);
            $db->commit();
            break;
        } catch (PDOException $e) {
            if ($db->inTransaction()) {
                $db->rollBack();
            }
            // Deadlock or lock wait timeout: again, with jitter, three times.
            if (in_array($e->errorInfo[1] ?? 0, [1205, 1213], true) && $attempt < 3) {
                usleep(($attempt * 10 + random_int(0, 39)) * 1000);
                continue;
            }
            refuse(in_array($e->errorInfo[1] ?? 0, [1205, 1213, 2002, 2006, 2013], true)
                ? 'unavailable' : 'internal');
        }
    }
    return ['clientSecret' => $secret, 'details' => [
        'sequence' => (string)$seq,
        'creationDate' => rfc3339($found[1]),
        'changeDate' => rfc3339($now),
        'resourceOwner' => $found[2],
    ]];
}

$path = rawurldecode(parse_url($_SERVER['REQUEST_URI'] ?? '/', PHP_URL_PATH) ?? '/');
if (!preg_match('#/management/v1/projects/([^/]*)/apps/([^/]*)/oidc_config/_generate_client_secret$#',
    $path, $m)) {
    $kind = 'route_not_found';
} else {
    try {
        $cfg = require($_SERVER['OIDC_PEER_CONFIG'] ?? getenv('OIDC_PEER_CONFIG'));
        answer(200, json_encode(regenerate($cfg, $m[1], $m[2]), JSON_UNESCAPED_SLASHES));
        exit;
    } catch (Refusal $e) {
        $kind = $e->getMessage();
    } catch (PDOException $e) {
        // The connection lost between statements: as unreachable.
        $kind = in_array($e->errorInfo[1] ?? 0, [2002, 2006, 2013], true) ? 'unavailable' : 'internal';
    } catch (Throwable $e) {
        $kind = 'internal';
    }
}
$err = ERRORS[$kind];
answer($err[3] ?? HTTP_STATUS[$err[0]], error_body($kind),
    $kind === 'method_not_allowed' ? ['Allow: POST'] : []);

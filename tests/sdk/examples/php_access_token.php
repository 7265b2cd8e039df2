<?php
// An administrator's access token gives a machine user a client secret and
// a key the server makes (its key file written to KEY_FILE, mode 0600).
//   BASE_URL TOKEN USER_ID KEY_FILE
require 'vendor/autoload.php';

use Zitadel\Client\ApiException;
use Zitadel\Client\Model\UserServiceAddKeyRequest;
use Zitadel\Client\Model\UserServiceAddSecretRequest;
use Zitadel\Client\Zitadel;

$zitadel = Zitadel::withAccessToken(getenv('BASE_URL'), getenv('TOKEN'));
try {
    $secret = $zitadel->users->addSecret(
        (new UserServiceAddSecretRequest())->setUserId(getenv('USER_ID')));
    $key = $zitadel->users->addKey(
        (new UserServiceAddKeyRequest())->setUserId(getenv('USER_ID')));
} catch (ApiException $e) {
    fprintf(STDERR, "%d %s\n", $e->getStatusCode(), $e->getResponseBody()->message);
    exit(1);
}
// keyContent is the key file, base64-encoded: the private key is in it.
umask(077);
$f = fopen(getenv('KEY_FILE'), 'x');
fwrite($f, base64_decode($key->getKeyContent()));
fclose($f);
echo json_encode(['clientSecret' => $secret->getClientSecret(),
                  'keyId' => $key->getKeyId()]), "\n";

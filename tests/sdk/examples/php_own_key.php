<?php
// An administrator's access token registers the public half of a key pair
// made here: the private key never leaves this machine.  Writes the key
// file (ZITADEL's format) to KEY_FILE, mode 0600.
//   BASE_URL TOKEN USER_ID KEY_FILE
require 'vendor/autoload.php';

use Zitadel\Client\ApiException;
use Zitadel\Client\Model\UserServiceAddKeyRequest;
use Zitadel\Client\Zitadel;

$pair = openssl_pkey_new(['private_key_type' => OPENSSL_KEYTYPE_RSA,
                          'private_key_bits' => 2048]);
$publicPem = openssl_pkey_get_details($pair)['key'];
$zitadel = Zitadel::withAccessToken(getenv('BASE_URL'), getenv('TOKEN'));
try {
    $key = $zitadel->users->addKey((new UserServiceAddKeyRequest())
        ->setUserId(getenv('USER_ID'))
        ->setPublicKey(base64_encode($publicPem)));
} catch (ApiException $e) {
    fprintf(STDERR, "%d %s\n", $e->getStatusCode(), $e->getResponseBody()->message);
    exit(1);
}
openssl_pkey_export($pair, $privatePem);
umask(077);
$f = fopen(getenv('KEY_FILE'), 'x');
fwrite($f, json_encode(['type' => 'serviceaccount', 'keyId' => $key->getKeyId(),
                        'key' => $privatePem, 'userId' => getenv('USER_ID')]));
fclose($f);
echo json_encode(['keyId' => $key->getKeyId()]), "\n";

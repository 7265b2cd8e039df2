<?php
// A machine user signs in with a key file (a JWT signed by its private key,
// RFC 7523) and regenerates an API app's secret (app v2beta).
//   BASE_URL KEY_FILE PROJECT_ID API_APP_ID
require 'vendor/autoload.php';

use Zitadel\Client\ApiException;
use Zitadel\Client\Model\BetaAppServiceRegenerateClientSecretRequest;
use Zitadel\Client\Zitadel;
use Zitadel\Client\ZitadelException;

$zitadel = Zitadel::withPrivateKey(getenv('BASE_URL'), getenv('KEY_FILE'));
try {
    $res = $zitadel->betaApps->regenerateClientSecret(
        (new BetaAppServiceRegenerateClientSecretRequest())
            ->setProjectId(getenv('PROJECT_ID'))
            ->setApplicationId(getenv('API_APP_ID'))
            ->setIsApi(true));
} catch (ApiException $e) {
    fprintf(STDERR, "%d %s\n", $e->getStatusCode(), $e->getResponseBody()->message);
    exit(1);
} catch (ZitadelException $e) {
    fprintf(STDERR, "%s\n", $e->getMessage());
    exit(1);
}
echo json_encode(['clientSecret' => $res->getClientSecret()]), "\n";

<?php
// A machine user signs in with its client ID and secret (OAuth 2.0 client
// credentials) and regenerates an OIDC app's secret (application v2).
//   BASE_URL CLIENT_ID CLIENT_SECRET PROJECT_ID APP_ID
require 'vendor/autoload.php';

use Zitadel\Client\ApiException;
use Zitadel\Client\Model\ApplicationServiceGenerateClientSecretRequest;
use Zitadel\Client\Zitadel;
use Zitadel\Client\ZitadelException;

$zitadel = Zitadel::withClientCredentials(
    getenv('BASE_URL'), getenv('CLIENT_ID'), getenv('CLIENT_SECRET'));
try {
    $res = $zitadel->applications->generateClientSecret(
        (new ApplicationServiceGenerateClientSecretRequest())
            ->setProjectId(getenv('PROJECT_ID'))
            ->setApplicationId(getenv('APP_ID')));
} catch (ApiException $e) {     // the API refused: HTTP status, Connect error body
    fprintf(STDERR, "%d %s\n", $e->getStatusCode(), $e->getResponseBody()->message);
    exit(1);
} catch (ZitadelException $e) { // signing in failed
    fprintf(STDERR, "%s\n", $e->getMessage());
    exit(1);
}
echo json_encode(['clientSecret' => $res->getClientSecret()]), "\n";

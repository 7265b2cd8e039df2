<?php
/*
 * vendor/autoload.php for ZITADEL's PHP SDK laid out by tests/sdk/unpack.sh,
 * standing in for composer's: each package's PSR-4 prefix (from its
 * composer.json) mapped to its directory under vendor/, and Debian's own
 * autoloaders for Guzzle and the PSR interfaces (php-guzzlehttp-guzzle,
 * php-psr-http-factory).
 */

require_once '/usr/share/php/GuzzleHttp/autoload.php';
require_once '/usr/share/php/Psr/Http/Message/factory-autoload.php';

spl_autoload_register(static function (string $class): void {
    static $prefixes = [
        'Zitadel\\Client\\' => ['zitadel/client/lib'],
        'League\\OAuth2\\Client\\' => ['league/oauth2-client/src'],
        'League\\Uri\\' => ['league/uri', 'league/uri-interfaces'],
        'Firebase\\JWT\\' => ['firebase/php-jwt/src'],
    ];
    foreach ($prefixes as $prefix => $dirs) {
        if (strncmp($class, $prefix, strlen($prefix)) !== 0) {
            continue;
        }
        $relative = str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
        foreach ($dirs as $dir) {
            $file = __DIR__ . '/' . $dir . '/' . $relative;
            if (is_file($file)) {
                require $file;
                return;
            }
        }
    }
});

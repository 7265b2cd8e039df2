#!/usr/bin/php-cgi
<?php
// regen.php as a plain CGI program: php-cgi under Apache mod_cgi, one
// process per request, as shared hosting runs PHP without FastCGI.  Its
// settings are config.php beside it.
$_SERVER['OIDC_PEER_CONFIG'] = __DIR__ . '/config.php';
require __DIR__ . '/regen.php';

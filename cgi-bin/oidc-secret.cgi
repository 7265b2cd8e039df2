#!/bin/sh
# oidc-secret as a plain CGI program, for shared hosting (Apache mod_cgi and
# the .htaccess beside this file).  Upload both into the web root, and the
# responder and its configuration into oidc-secret/ NEXT TO the web root,
# where no URL reaches them (the configuration holds the database password):
#
#   ~/oidc-secret/oidc-secret.fcgi   the responder, built for the host, 0755
#   ~/oidc-secret/oidc-secret.conf   its configuration, 0600
#   ~/public_html/.htaccess          from cgi-bin/
#   ~/public_html/oidc-secret.cgi    this file, 0755
#
# (0600 where the host runs CGI programs as the account, with suEXEC, as
# most do; without it the program runs as the web server's user and cannot
# read a 0600 file: doc/deploy-cgi.md, "Without suEXEC", says what to do,
# and the error log names the file, the user and the fix.)  The paths below
# are relative to this file's directory.
dir=$(dirname "$0")/../oidc-secret
OIDC_SECRET_CONFIG=$dir/oidc-secret.conf
export OIDC_SECRET_CONFIG
exec "$dir/oidc-secret.fcgi"

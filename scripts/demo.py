"""The demo's two steps after the build: start and stop (see scripts/demo)."""

import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oidcstack as st  # noqa: E402

VAR = os.path.join(st.ROOT, "var")
DIR = os.path.join(VAR, "demo")
DATABASE = "oidc_secret"
USER = "oidc_secret"


def password():
    path = os.path.join(DIR, "db-password")
    if not os.path.exists(path):
        st.write_file(path, st.random_password() + "\n", 0o600)
    with open(path) as f:
        return f.read().strip()


def start():
    port = int(os.environ.get("DEMO_PORT", "8080"))
    st.make_dir(VAR)
    st.make_dir(DIR)
    db = st.MariaDB(os.path.join(DIR, "mysql"))
    db.start()
    pw = password()
    # The issuer is the site's public base URL: the OAuth endpoints and the
    # JWT assertions of ZITADEL's SDKs name it (doc/oauth.md).
    conf = st.responder_config(os.path.join(DIR, "oidc-secret.conf"), db,
                               DATABASE, USER, pw,
                               issuer="http://127.0.0.1:%d" % port)
    st.setup_database(db, DATABASE, USER, pw, conf)
    db.sql_file(os.path.join(st.ROOT, "sql", "demo.sql"), DATABASE)
    token = st.issue_token(conf, st.DEMO["USER_ID"])

    web = st.Lighttpd(os.path.join(DIR, "lighttpd"), port, conf, procs=2)
    web.stop()
    if st.port_open(port):
        sys.exit("scripts/demo: port %d is taken; set DEMO_PORT" % port)
    web.start()
    base = web.base_url()

    env = {
        "BASE_URL": base, "TOKEN": token, "ORG_ID": st.DEMO["ORG_ID"],
        "USER_ID": st.DEMO["USER_ID"], "PROJECT_ID": st.DEMO["PROJECT_ID"],
        "APP_ID": st.DEMO["APP_ID"], "API_APP_ID": st.DEMO["API_APP_ID"],
        "MYSQL_SOCKET": db.socket, "MYSQL_DATABASE": DATABASE,
        "MYSQL_USER": USER, "MYSQL_PASSWORD": pw,
    }
    # Exported, so that ". var/demo.env; oidc-secret-admin ..." finds the
    # demo's configuration.
    st.write_file(os.path.join(VAR, "demo.env"),
                  "".join("%s=%s\n" % kv for kv in env.items())
                  + "export OIDC_SECRET_CONFIG=%s\n" % conf, 0o600)

    # The call of ZITADEL's API page (doc/api.md), as a client makes it.
    url = "%s/management/v1/projects/%s/apps/%s/oidc_config/_generate_client_secret" % (
        base, env["PROJECT_ID"], env["APP_ID"])
    out = subprocess.run(
        ["curl", "-sS", "-L", "-X", "POST", url,
         "-H", "Content-Type: application/json",
         "-H", "Accept: application/json",
         "-H", "@-",  # the token on stdin: argv is in ps for all to read
         "--data-raw", "{}"],
        input="Authorization: Bearer %s\n" % token, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit("scripts/demo: curl failed: " + out.stderr)
    body = json.loads(out.stdout)
    print(json.dumps(body, indent=2))
    if "clientSecret" not in body:
        sys.exit("scripts/demo: the call did not succeed (see above)")
    print("\noidc-secret is running at %s (lighttpd, MariaDB under var/demo)." % base,
          file=sys.stderr)
    print("var/demo.env holds BASE_URL, TOKEN and the demo IDs; "
          "scripts/demo stop ends it.", file=sys.stderr)


def stop():
    st.Lighttpd(os.path.join(DIR, "lighttpd"), 0, "").stop()
    st.MariaDB(os.path.join(DIR, "mysql")).stop()
    print("demo stopped", file=sys.stderr)


if __name__ == "__main__":
    {"start": start, "stop": stop}[sys.argv[1] if len(sys.argv) > 1 else "start"]()

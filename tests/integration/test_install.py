"""make install, make uninstall and make install-cgi from the build directory
.

Runs the build's own Makefile (OIDC_SECRET_BUILD_DIR, else build/) into a
staging directory (DESTDIR) with the installation directories given on the
command line, so the layout checked does not depend on how configure was
run.  Needs no database.
"""

import filecmp
import os
import shutil
import stat
import subprocess
import tempfile
import unittest

from harness import st

BUILD = st.BUILD
PREFIX = "/opt/oidc-secret-test"
DIRS = {
    "prefix": PREFIX, "exec_prefix": PREFIX,
    "sysconfdir": PREFIX + "/etc", "libexecdir": PREFIX + "/libexec",
    "sbindir": PREFIX + "/sbin", "bindir": PREFIX + "/bin",
    "datarootdir": PREFIX + "/share", "datadir": PREFIX + "/share",
    "mandir": PREFIX + "/share/man",
}
PKGDATA = PREFIX + "/share/oidc-secret"
CONF = PREFIX + "/etc/oidc-secret.conf"
EXAMPLE = os.path.join(st.ROOT, "etc", "oidc-secret.conf.example")


def make(*args, **extra):
    """make -C BUILD args, with the directories above; a CompletedProcess."""
    cmd = ["make", "-C", BUILD, "-s"] + list(args)
    cmd += ["%s=%s" % kv for kv in DIRS.items()]
    cmd += ["%s=%s" % kv for kv in extra.items()]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600)


def shipped(subdir):
    """Files of a source directory, relative to it (editor leftovers aside)."""
    out = []
    top = os.path.join(st.ROOT, subdir)
    for root, _, files in os.walk(top):
        for f in files:
            if f.endswith("~") or f.startswith(".#") or f.endswith(".swp"):
                continue
            out.append(os.path.relpath(os.path.join(root, f), top))
    return sorted(out)


def files_under(top):
    out = []
    for root, _, files in os.walk(top):
        for f in files:
            out.append(os.path.relpath(os.path.join(root, f), top))
    return sorted(out)


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


class Install(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        r = subprocess.run(["make", "-C", BUILD, "-s"], capture_output=True, text=True,
                           timeout=600)
        if r.returncode != 0:
            raise RuntimeError("make in %s: %s" % (BUILD, r.stderr[-2000:]))

    def setUp(self):
        self.dest = tempfile.mkdtemp(prefix="oidc-secret-install-")
        self.addCleanup(shutil.rmtree, self.dest, True)

    def p(self, path):
        return self.dest + path

    def install(self):
        r = make("install", DESTDIR=self.dest)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        return r

    def test_layout_and_modes(self):
        self.install()
        for path in (PREFIX + "/libexec/oidc-secret.fcgi", PREFIX + "/sbin/oidc-secret-admin"):
            with self.subTest(program=path):
                self.assertTrue(os.path.isfile(self.p(path)), path)
                self.assertEqual(mode(self.p(path)) & 0o111, 0o111, oct(mode(self.p(path))))
        self.assertFalse(os.path.exists(self.p(PREFIX + "/bin")), "nothing in bindir")
        # The schema, and every web server file shipped, under pkgdatadir.
        for f in ("001_schema.sql", "002_role_permissions.sql"):
            self.assertTrue(filecmp.cmp(os.path.join(st.ROOT, "sql", f),
                                        self.p(PKGDATA + "/sql/" + f), shallow=False), f)
        for sub in ("lighttpd-conf", "apache-conf", "cgi-bin"):
            files = shipped(sub)
            for f in files:
                with self.subTest(sub=sub, file=f):
                    src = os.path.join(st.ROOT, sub, f)
                    dst = self.p("%s/%s/%s" % (PKGDATA, sub, f))
                    self.assertTrue(os.path.isfile(dst), "%s/%s is not installed" % (sub, f))
                    self.assertTrue(filecmp.cmp(src, dst, shallow=False))
                    if mode(src) & 0o100:
                        self.assertEqual(mode(dst), 0o755)
            self.assertEqual(files_under(self.p(PKGDATA + "/" + sub)),
                             files, "exactly the files of " + sub)
        self.assertTrue(filecmp.cmp(EXAMPLE, self.p(PKGDATA + "/oidc-secret.conf.example"),
                                    shallow=False))
        # Man pages in their sections.
        for page in ("man8/oidc-secret.fcgi.8", "man8/oidc-secret-admin.8",
                     "man5/oidc-secret.conf.5"):
            self.assertTrue(os.path.isfile(self.p(PREFIX + "/share/man/" + page)), page)
        # The configuration: the example, 0640.
        self.assertTrue(filecmp.cmp(EXAMPLE, self.p(CONF), shallow=False))
        self.assertEqual(mode(self.p(CONF)), 0o640)

    def test_installed_programs_run_with_the_installed_configuration(self):
        self.install()
        admin = self.p(PREFIX + "/sbin/oidc-secret-admin")
        conf = self.p(CONF)
        env = {k: v for k, v in os.environ.items() if not k.startswith("OIDC_SECRET_")}
        r = subprocess.run([admin, "--version"], capture_output=True, text=True, env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        # The example as installed says everything but api_project_id, which
        # the responder (and so check-config) insists on; hashing does not.
        r = subprocess.run([admin, "--config", conf, "check-config"], capture_output=True,
                           text=True, env=env)
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("api_project_id is empty", r.stderr)
        r = subprocess.run([admin, "--config", conf, "hash"], input="x", capture_output=True,
                           text=True, env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"^\$2b\$04\$[./A-Za-z0-9]{53}$")   # bcrypt 4, the default
        fcgi = self.p(PREFIX + "/libexec/oidc-secret.fcgi")
        r = subprocess.run([fcgi, "--version"], capture_output=True, text=True)
        self.assertEqual((r.returncode, r.stdout.split()[0]), (0, "oidc-secret.fcgi"))

    def test_an_operators_configuration_is_never_replaced(self):
        self.install()
        with open(self.p(CONF), "w") as f:
            f.write("api_project_id = 42\n")
        os.chmod(self.p(CONF), 0o600)
        r = self.install()
        self.assertIn("exists: kept", r.stdout + r.stderr)
        with open(self.p(CONF)) as f:
            self.assertEqual(f.read(), "api_project_id = 42\n")
        self.assertEqual(mode(self.p(CONF)), 0o600)
        # Uninstall takes everything else away, and leaves it.
        r = make("uninstall", DESTDIR=self.dest)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(files_under(self.dest), [CONF.lstrip("/")])

    def test_uninstall_removes_everything_installed(self):
        self.install()
        r = make("uninstall", DESTDIR=self.dest)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(files_under(self.dest), [])


class InstallCgi(unittest.TestCase):
    def setUp(self):
        self.dest = tempfile.mkdtemp(prefix="oidc-secret-cgi-")
        self.addCleanup(shutil.rmtree, self.dest, True)
        self.cgi = os.path.join(self.dest, "cgi")

    def test_responder_as_oidc_secret_cgi_with_the_cgi_bin_files(self):
        r = make("install-cgi", CGIDIR=self.cgi)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        prog = os.path.join(self.cgi, "oidc-secret.cgi")
        self.assertTrue(filecmp.cmp(prog, st.responder_path(), shallow=False),
                        "oidc-secret.cgi is the responder itself")
        self.assertEqual(mode(prog), 0o755)
        others = [f for f in shipped("cgi-bin") if f != "oidc-secret.cgi"]
        for f in others:
            with self.subTest(file=f):
                self.assertTrue(filecmp.cmp(os.path.join(st.ROOT, "cgi-bin", f),
                                            os.path.join(self.cgi, f), shallow=False))
        self.assertEqual(files_under(self.cgi), sorted(others + ["oidc-secret.cgi"]))
        # It answers as a CGI program (RFC 3875), from where it was put.
        conf = os.path.join(self.dest, "c.conf")
        with open(conf, "w") as f:
            f.write("api_project_id = 1\ndb_socket = /nonexistent\nlog_level = warn\n")
        env = {"REQUEST_METHOD": "GET", "SCRIPT_NAME": "/cgi-bin/oidc-secret.cgi",
               "PATH_INFO": "/debug/healthz", "GATEWAY_INTERFACE": "CGI/1.1",
               "OIDC_SECRET_CONFIG": conf}
        r = subprocess.run([prog], env=env, stdin=subprocess.DEVNULL, capture_output=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(r.stdout.startswith(b"Status: 200 OK\r\n"), r.stdout)
        self.assertTrue(r.stdout.endswith(b"\r\n\r\nok\n"), r.stdout)
        # And uninstall-cgi takes it all away.
        r = make("uninstall-cgi", CGIDIR=self.cgi)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(files_under(self.cgi), [])

    def test_a_sites_own_files_stay(self):
        os.makedirs(self.cgi)
        own = os.path.join(self.cgi, ".htaccess")
        with open(own, "w") as f:
            f.write("# the site's own\n")
        r = make("install-cgi", CGIDIR=self.cgi)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        with open(own) as f:
            self.assertEqual(f.read(), "# the site's own\n")
        self.assertTrue(os.path.isfile(os.path.join(self.cgi, "oidc-secret.cgi")))
        r = make("uninstall-cgi", CGIDIR=self.cgi)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(files_under(self.cgi), [".htaccess"])

    def test_cgidir_is_required(self):
        r = make("install-cgi")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("usage: make install-cgi CGIDIR=", r.stderr)


if __name__ == "__main__":
    unittest.main()

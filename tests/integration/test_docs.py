"""The man pages, doc/configuration.md and the example configuration agree
with the code: mandoc -Tlint finds nothing, every configuration key is
documented with its default and range as src/config.c has them, the admin
tool's commands, options and exit codes as src/admin.c has them, the
responder's signals and request log fields as src/main.c and src/log.c
have them.
"""

import os
import re
import subprocess
import unittest

from harness import st

MAN_DIR = os.path.join(st.BUILD, "man")
PAGES = ("oidc-secret.fcgi.8", "oidc-secret-admin.8", "oidc-secret.conf.5")
EXAMPLE = os.path.join(st.ROOT, "etc", "oidc-secret.conf.example")


def source(path):
    with open(os.path.join(st.ROOT, path)) as f:
        return f.read()


def page(name):
    with open(os.path.join(MAN_DIR, name)) as f:
        return f.read()


def config_keys():
    """src/config.c's key table: name -> (kind, min, max or allowed names)."""
    text = source("src/config.c")
    enums = {m[1]: re.findall(r'"([^"]+)"', m[2]) for m in
             re.finditer(r"static const char \*const (\w+)\[\] = \{([^}]*)\}", text)}
    keys = {}
    table = re.search(r"static const struct key keys\[\] = \{(.*?)\n\};", text, re.S)[1]
    for kind, args in re.findall(r"\b(STR|UINT|ENUM)\(([^)]*)\)", table):
        a = [x.strip() for x in args.split(",")]
        if kind == "UINT":
            keys[a[0]] = ("UINT", int(a[1]), int(a[2]))
        elif kind == "ENUM":
            keys[a[0]] = ("ENUM", enums[a[1]])
        else:
            keys[a[0]] = ("STR",)
    return keys


def config_defaults():
    """config_defaults() of src/config.c: name -> default as text ('' if none)."""
    body = re.search(r"\nconfig_defaults\(struct config \*cfg\)\n\{(.*?)\n\}",
                     source("src/config.c"), re.S)[1]
    out = {k: "" for k in config_keys()}
    for name, value in re.findall(r'snprintf\(cfg->(\w+),\s+sizeof\(cfg->\w+\),\s+"([^"]*)"\)', body):
        out[name] = value
    for name, expr in re.findall(r"cfg->(\w+) = ([^;]+);", body):
        expr = expr.strip()
        if re.fullmatch(r"[\d\s*]+", expr):
            out[name] = str(eval(expr))
        elif expr.startswith("HASH_") or expr.startswith("LOG_"):
            out[name] = expr.split("_", 1)[1].lower()
        else:
            raise AssertionError("cannot read default %s = %s" % (name, expr))
    return out


def section(text, title):
    m = re.search(r"^\.Sh %s\n(.*?)(?=^\.Sh |\Z)" % re.escape(title), text, re.S | re.M)
    return m[1] if m else ""


def items(text):
    """mdoc .It entries of a page: first word after .It Cm -> its text up to the next .It/.El."""
    out = {}
    for m in re.finditer(r"^\.It Cm (\S+)\n(.*?)(?=^\.It |^\.El)", text, re.S | re.M):
        out[m[1]] = m[2]
    return out


class Lint(unittest.TestCase):
    def test_mandoc_lint_finds_nothing(self):
        for name in PAGES:
            with self.subTest(page=name):
                path = os.path.join(MAN_DIR, name)
                self.assertTrue(os.path.isfile(path), "%s not built" % path)
                r = subprocess.run(["mandoc", "-Tlint", "-Wwarning", path],
                                   capture_output=True, text=True)
                self.assertEqual((r.returncode, r.stdout + r.stderr), (0, ""))
                self.assertNotRegex(page(name), r"@\w+@", "a placeholder was left")
                self.assertIn("/oidc-secret.conf", page(name))

    def test_pages_are_installed_by_the_makefile(self):
        text = source("Makefile.am")
        pages = re.search(r"\nMAN_PAGES = ([^\n]*)", text)[1].split()
        self.assertEqual(sorted(pages), sorted("man/" + p for p in PAGES))
        self.assertRegex(text, r"\nman_MANS = \$\(MAN_PAGES\)")


class Configuration(unittest.TestCase):
    def test_every_key_with_default_and_range_in_oidc_secret_conf_5(self):
        keys, defaults = config_keys(), config_defaults()
        documented = items(section(page("oidc-secret.conf.5"), "DESCRIPTION"))
        self.assertEqual(set(documented), set(keys), "keys in the page vs. src/config.c")
        for key, spec in keys.items():
            with self.subTest(key=key):
                text = documented[key]
                if defaults[key]:
                    self.assertRegex(text, r"Default:\n\.Ql %s(?!\w)" % re.escape(defaults[key]))
                else:
                    self.assertRegex(text, r"Default: empty")
                if spec[0] == "UINT":
                    self.assertIn("%d to %d" % (spec[1], spec[2]), text)
                if spec[0] == "ENUM":
                    for name in spec[1]:
                        self.assertIn(".Ql %s" % name, text)
        self.assertIn("OIDC_SECRET_ Ns Ar KEY", page("oidc-secret.conf.5"))

    def test_example_configuration_has_every_key_at_its_default(self):
        keys, defaults = config_keys(), config_defaults()
        found = {}
        with open(EXAMPLE) as f:
            for line in f:
                m = re.match(r"^#?(\w+) =(?: (.*))?$", line.rstrip("\n"))
                if m and m[1] in keys:
                    self.assertNotIn(m[1], found, "%s twice" % m[1])
                    found[m[1]] = m[2] or ""
        self.assertEqual(set(found), set(keys))
        for key in keys:
            with self.subTest(key=key):
                self.assertEqual(found[key], defaults[key])
        # Only api_project_id, which has no default, is set (to be filled in).
        with open(EXAMPLE) as f:
            active = [ln.split("=")[0].strip() for ln in f
                      if ln.strip() and not ln.lstrip().startswith("#")]
        self.assertEqual(active, ["api_project_id"])

    def test_configuration_document_agrees(self):
        """doc/configuration.md's table: every key of src/config.c's table,
        and no other, each with its default."""
        keys, defaults = config_keys(), config_defaults()
        text = re.search(r"^# Configuration\n(.*?)\n## ", source("doc/configuration.md"),
                         re.S | re.M)[1]
        table = dict(re.findall(r"^\| `(\w+)` \| ([^|]*) \|", text, re.M))
        self.assertEqual(set(table), set(keys),
                         "keys in doc/configuration.md's table vs. src/config.c")
        for key in keys:
            with self.subTest(key=key):
                if defaults[key]:
                    self.assertEqual(table[key].strip(), "`%s`" % defaults[key])
                else:
                    self.assertTrue(table[key].strip().startswith("("), table[key])


class AdminPage(unittest.TestCase):
    def test_commands_options_and_exit_codes(self):
        text = "".join(source("src/" + f) for f in sorted(os.listdir(os.path.join(st.ROOT, "src")))
                       if f.startswith("admin"))
        man = page("oidc-secret-admin.8")
        synopsis = section(man, "SYNOPSIS")
        table = "".join(re.findall(r"commands\[\] = \{(.*?)\n\};", text, re.S))
        commands = re.findall(r'\{ "([\w-]+)", (?:"([\w -]+)"|NULL), \{([^}]*)\}', table)
        # Subcommands of several words, and with '-', read too.
        self.assertLessEqual({("user", "key add"), ("user", "secret remove"),
                              ("secret", "end-grace")}, {c[:2] for c in commands})
        for word, sub, opts in commands:
            cmd = "%s %s" % (word, sub) if sub else word
            with self.subTest(command=cmd):
                self.assertIn(".Cm %s\n" % cmd.replace("-", "\\-"), synopsis)
                for opt in re.findall(r'"(--[\w-]+)=?"', opts):
                    # .Fl writes one dash itself: "Fl \-sql\-dir" is --sql-dir.
                    self.assertTrue("Fl %s" % opt[1:].replace("-", "\\-") in man,
                                    "%s %s undocumented" % (cmd, opt))
        codes = {int(n): name for name, n in re.findall(r"\b(EX_\w+) = (\d+)", text)}
        self.assertEqual(sorted(codes), list(range(len(codes))))
        status = section(man, "EXIT STATUS")
        self.assertEqual([int(n) for n in re.findall(r"^\.It (\d+)$", status, re.M)],
                         sorted(codes))
        for env in ("OIDC_SECRET_CONFIG", "OIDC_SECRET_SQL_DIR"):
            self.assertIn(env, text)
            self.assertIn(".It Ev %s" % env, section(man, "ENVIRONMENT"))


class ResponderPage(unittest.TestCase):
    def test_signals_and_request_log_fields(self):
        man = page("oidc-secret.fcgi.8")
        for sig in re.findall(r"sigaction\((SIG\w+),", source("src/main.c")):
            with self.subTest(signal=sig):
                self.assertIn(".Dv %s" % sig, man)
        fmt = re.search(r'log_msg\(LOG_INFO, "request (.*?)", r->id',
                        source("src/log.c"), re.S)[1]
        fields = re.findall(r"(\w+)=%", fmt)
        self.assertEqual(fields, ["id", "method", "route", "status", "code", "user",
                                  "latency_ms", "call"])
        self.assertIn(".It Li refused\n", man)
        for field in fields:
            with self.subTest(field=field):
                self.assertIn(".It Li %s\n" % field, man)
        self.assertIn(".It Ev OIDC_SECRET_CONFIG", man)
        self.assertIn("--version", source("src/main.c"))
        self.assertIn("Fl \\-version", section(man, "SYNOPSIS"))


class ExampleFiles(unittest.TestCase):
    """A code block whose info string names a file of the repository holds
    that file as it is: the docs show what the tests run."""

    def test_blocks_naming_a_file_hold_it(self):
        seen = 0
        for name in sorted(os.listdir(os.path.join(st.ROOT, "doc"))):
            if not name.endswith(".md"):
                continue
            with open(os.path.join(st.ROOT, "doc", name)) as f:
                text = f.read()
            for path, body in re.findall(r"^```\w+ ((?:tests|scripts)/\S+)\n(.*?)^```$",
                                         text, re.S | re.M):
                with self.subTest(doc=name, file=path):
                    with open(os.path.join(st.ROOT, path)) as f:
                        self.assertEqual(body, f.read())
                seen += 1
        self.assertGreaterEqual(seen, 7)


if __name__ == "__main__":
    unittest.main()

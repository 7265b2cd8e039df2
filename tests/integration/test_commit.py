"""A connection lost during COMMIT (doc/database.md, "Retries"): the change
may have landed.  The responder opens a connection to its next db_host and
looks for the event the attempt wrote (events.request_id): there, the
change landed and the client gets its 200 with the secret; not there, the
change is attempted again.  Either way exactly one event, and the stored
hash is the answered secret's.

A proxy (dbproxy.py) in front of the server cuts the connection at COMMIT:
after the server committed (the answer lost), or before it saw it.
"""

import re
import unittest

from dbproxy import Proxy
from harness import REST_PATH, SECRET_RE, env, http, verify_hash
from procs import log_since, log_size


class LostCommit(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.env = env()
        cls.p1 = Proxy(cls.env.db.socket)
        cls.p2 = Proxy(cls.env.db.socket)
        cls.web = cls.env.lighttpd(
            "lost-commit", procs=1, db_socket="",
            db_host="%s,%s" % (cls.p1.address, cls.p2.address))

    @classmethod
    def tearDownClass(cls):
        cls.p1.close()
        cls.p2.close()

    def call(self, w):
        return http(self.web.port, "POST", REST_PATH % (w.project, w.app),
                    {"Authorization": "Bearer " + w.token,
                     "Content-Type": "application/json"}, "{}")

    def one_event_and_the_answered_secret(self, w, seq0, r):
        self.assertEqual(r.status, 200, r.body)
        secret = r.json()["clientSecret"]
        self.env.secrets_seen.add(secret)
        self.assertRegex(secret, SECRET_RE)
        self.assertEqual(int(r.json()["details"]["sequence"]), seq0 + 1)
        events = self.env.q("SELECT sequence FROM events WHERE aggregate_id = %s"
                            " AND sequence > %s", w.project, seq0)
        self.assertEqual(events, [(seq0 + 1,)], "exactly one event")
        self.assertTrue(verify_hash(secret, self.env.stored_hash(w.app)))

    def through(self, mode):
        w = self.env.world()
        # Warm: the responder's connection goes through the first proxy.
        r = self.call(w)
        self.assertEqual(r.status, 200, r.body)
        self.env.secrets_seen.add(r.json()["clientSecret"])
        seq0 = self.env.sequence(w.project)
        offset = log_size(self.web)
        # The responder is on whichever proxy it used last: arm both.
        self.p1.arm(mode)
        self.p2.arm(mode)
        r = self.call(w)
        self.assertTrue(self.p1.fired.is_set() or self.p2.fired.is_set(),
                        "the cut never happened")
        self.p1.arm(None)
        self.p2.arm(None)
        self.one_event_and_the_answered_secret(w, seq0, r)
        return log_since(self.web, offset)

    def test_answer_lost_after_the_change_landed(self):
        log = self.through("lose_answer")
        self.assertRegex(log, r"warn: database: commit: 20(13|06|55) ")
        self.assertIn("COMMIT's answer was lost, but the change landed", log)

    def test_commit_lost_before_the_server_saw_it(self):
        log = self.through("lose_commit")
        self.assertRegex(log, r"warn: database: commit: 20(13|06|55) ")
        self.assertNotIn("landed", log)
        self.assertNotRegex(log, re.compile(r"status=503"))


if __name__ == "__main__":
    unittest.main()

"""doc/errors.md holds the error table as src/errors.def, the one source,
makes it (scripts/errors_doc.py); every kind a wire can answer is there."""

import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(HERE)), "scripts"))
import errors_doc  # noqa: E402


class ErrorsDoc(unittest.TestCase):

    def test_doc_tables_are_written_from_errors_def(self):
        with open(errors_doc.DOC) as f:
            doc = f.read()
        self.assertEqual(errors_doc.doc_tables(doc), errors_doc.tables(),
                         "doc/errors.md is stale: python3 scripts/errors_doc.py --write")

    def test_every_wire_kind_is_documented_with_id_and_text(self):
        rows = errors_doc.read()
        self.assertGreater(len(rows), 40)
        ids = {}
        for group, kind, code, http, eid, text, oauth, when in rows:
            self.assertTrue(eid and text and when, kind)
            if group.startswith("OAuth"):
                self.assertTrue(oauth, "%s: an OAuth endpoint kind needs its code" % kind)
            ids.setdefault(eid, set()).add(text)
        # One ID, one text (the service's checks share AUTH-7fs1e's only).
        self.assertEqual({i: t for i, t in ids.items() if len(t) > 1},
                         {"AUTH-7fs1e": {"auth header missing", "Token is invalid"}})


if __name__ == "__main__":
    unittest.main()

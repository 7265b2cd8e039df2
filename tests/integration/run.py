"""Runs the integration suite and prints one line per test and a total.

    /usr/bin/python3 tests/integration/run.py [module ...]

The last line is "N passed, N failed[, N skipped]"; the exit status is 1
when anything failed.
"""

import os
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


class Result(unittest.TextTestResult):
    """Counts tests, not subtests: a test fails when any of its subtests does."""

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.passed = 0
        self.failed = 0
        self.t0 = {}
        self.broken = {}

    def startTest(self, test):
        self.t0[test.id()] = time.monotonic()
        super().startTest(test)

    def _line(self, word, test, extra=""):
        took = time.monotonic() - self.t0.get(test.id(), time.monotonic())
        self.stream.write("%-4s %s (%.2fs)%s\n" % (word, test.id(), took, extra))
        self.stream.flush()

    def _report(self, test, err):
        self.stream.write(self._exc_info_to_string(err, test))

    def addSubTest(self, test, subtest, err):
        if err is not None:
            self.stream.write("  subtest %s failed:\n" % subtest._subDescription())
            self._report(test, err)
            self.broken[test.id()] = True
        super().addSubTest(test, subtest, err)

    def addSuccess(self, test):
        unittest.TestResult.addSuccess(self, test)
        self.passed += 1
        self._line("ok", test)

    def stopTest(self, test):
        # A test whose subtests failed gets neither addSuccess nor addFailure.
        if self.broken.pop(test.id(), False):
            self.failed += 1
            self._line("FAIL", test)
        super().stopTest(test)

    def addFailure(self, test, err):
        unittest.TestResult.addFailure(self, test, err)
        self.failed += 1
        self._line("FAIL", test)
        self._report(test, err)

    def addError(self, test, err):
        unittest.TestResult.addError(self, test, err)
        self.failed += 1
        self._line("FAIL", test, " (error)")
        self._report(test, err)

    def addSkip(self, test, reason):
        unittest.TestResult.addSkip(self, test, reason)
        self._line("skip", test, " " + reason)

    def printErrors(self):
        pass


def main():
    loader = unittest.TestLoader()
    names = sys.argv[1:]
    if names:
        suite = loader.loadTestsFromNames(names)
    else:
        suite = loader.discover(HERE, pattern="test_*.py", top_level_dir=HERE)
    runner = unittest.TextTestRunner(stream=sys.stdout, resultclass=Result,
                                     verbosity=0)
    result = runner.run(suite)
    failed = result.failed + len(result.unexpectedSuccesses)
    line = "%d passed, %d failed" % (result.passed, failed)
    if result.skipped:
        line += ", %d skipped" % len(result.skipped)
    print(line)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

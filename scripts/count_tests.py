#!/usr/bin/env python3
"""Prints "PASSED FAILED" summed over the test-runner summary lines of a log:
cargo/wasm-bindgen-test ("test result: ok. 3 passed; 0 failed"), node's TAP reporter
("# pass 3" / "# fail 0") and nnbook's golden runner ("N passed, N failed, N skipped")."""
import re
import sys

p = f = 0
with open(sys.argv[1], errors="replace") as log:
    for line in log:
        m = re.search(r"test result: \w+\. (\d+) passed; (\d+) failed", line)
        if m:
            p += int(m.group(1)); f += int(m.group(2)); continue
        m = re.match(r"^# pass (\d+)\s*$", line)
        if m:
            p += int(m.group(1)); continue
        m = re.match(r"^# fail (\d+)\s*$", line)
        if m:
            f += int(m.group(1)); continue
        m = re.match(r"^(\d+) passed, (\d+) failed(, \d+ skipped)?\s*$", line)
        if m:
            p += int(m.group(1)); f += int(m.group(2))
print(p, f)

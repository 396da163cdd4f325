"""Self-confinement of the worker: rlimits, the no-fork seccomp filter, call limits."""

import json
import os
import subprocess
import sys
import unittest

from _harness import WORKER, Worker

from agentos import _limits


def check(*options):
    proc = subprocess.run([sys.executable, "-I", "-S", WORKER, *options, "--check"], capture_output=True, timeout=30)
    return proc


class LimitSpecTest(unittest.TestCase):
    def test_spec_parses_known_keys_only(self):
        self.assertEqual(_limits.parse("cpu=5,as=1024,nproc=3,fsize=10,nofile=64"),
                         {"cpu": 5, "as": 1024, "nproc": 3, "fsize": 10, "nofile": 64})
        self.assertEqual(_limits.parse(""), {})
        for bad in ("cpu", "cpu=-1", "mem=5", "cpu=5x"):
            with self.assertRaises(_limits.LimitError, msg=bad):
                _limits.parse(bad)

    def test_no_fork_program_ends_in_allow_eagain_enosys_eperm_and_jumps_stay_inside(self):
        program = _limits.no_fork_program("x86_64")
        self.assertEqual([insn[3] for insn in program[-4:]], [0x7FFF0000, 0x5000B, 0x50026, 0x50001])
        for index, (code, jt, jf, _k) in enumerate(program):
            if code & 0x07 == 0x05:  # BPF_JMP
                self.assertLess(index + 1 + jt, len(program))
                self.assertLess(index + 1 + jf, len(program))
        self.assertIsNotNone(_limits.no_fork_program("aarch64"))
        self.assertIsNone(_limits.no_fork_program("mips"))


class ConfinedProcessTest(unittest.TestCase):
    def test_check_reports_hard_limits_and_refused_fork(self):
        proc = check("--limits", "cpu=7,as=1073741824,nproc=50,fsize=1000000,nofile=100", "--no-fork")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        info = json.loads(proc.stdout)
        self.assertEqual(info["rlimits"]["cpu"], [7, 7])
        self.assertEqual(info["rlimits"]["as"], [1073741824, 1073741824])
        self.assertEqual(info["rlimits"]["nofile"], [100, 100])
        self.assertTrue(info["fork"].startswith("refused"), info["fork"])

    def test_limits_are_the_same_through_setrlimit_as_through_resource(self):
        # With --no-fork, _ctypes is loaded for the filter and sets the limits too.
        spec = "cpu=7,as=1073741824,nproc=50,fsize=1000000,nofile=100"
        via_libc = json.loads(check("--limits", spec, "--no-fork").stdout)["rlimits"]
        via_resource = json.loads(check("--limits", spec).stdout)["rlimits"]
        self.assertEqual(via_libc, {"cpu": [7, 7], "as": [1073741824] * 2, "nproc": [50, 50],
                                    "fsize": [1000000] * 2, "nofile": [100, 100]})
        self.assertEqual(via_libc, via_resource)

    def test_with_the_filter_the_limits_need_no_resource_module(self):
        code = ("import sys; sys.path.insert(0, sys.argv[1]); from agentos import _limits\n"
                "_limits.apply('cpu=7,nofile=100', True); print('resource' in sys.modules)\n"
                "try:\n    _limits.apply_rlimits({'cpu': -1})\nexcept _limits.LimitError as e:\n    print('refused')\n"
                "_limits.apply_rlimits({'cpu': 9}, lower_only=True); _limits.apply_rlimits({'nofile': 50}, lower_only=True)\n"
                "import resource; print(resource.getrlimit(resource.RLIMIT_CPU), resource.getrlimit(resource.RLIMIT_NOFILE))")
        proc = subprocess.run([sys.executable, "-I", "-S", "-c", code, os.path.dirname(WORKER)],
                              capture_output=True, text=True, timeout=30)
        self.assertEqual(proc.stdout.splitlines(), ["False", "refused", "(7, 7) (50, 50)"], proc.stderr)

    def test_without_options_nothing_is_limited(self):
        info = json.loads(check().stdout)
        self.assertEqual(info["fork"], "allowed")

    def test_a_bad_spec_stops_the_process_before_it_serves(self):
        proc = check("--limits", "cpu=oops")
        self.assertEqual(proc.returncode, 70)
        self.assertIn("cannot confine the process", proc.stderr.decode())

    def test_become_refuses_a_uid_that_would_leave_the_ids_as_they_are(self):
        for bad in ("-1", "0", "nobody", ""):
            proc = check("--become", bad)
            self.assertEqual(proc.returncode, 70, bad)
            self.assertIn("cannot confine the process", proc.stderr.decode())
        with self.assertRaises(_limits.LimitError):
            _limits.become(-1)

    @unittest.skipUnless(os.geteuid() == 0, "becoming another uid needs root")
    def test_become_leaves_no_root_id_group_or_capability(self):
        # Supplementary groups as a root engine in a login session may have them.
        code = ("import os, sys; sys.path.insert(0, sys.argv[1]); from agentos import _limits\n"
                "os.setgroups([4, 27]); _limits.become(65534)\n"
                "status = dict(line.split(':', 1) for line in open('/proc/self/status'))\n"
                "print([status[k].split() for k in ('Uid', 'Gid', 'CapInh', 'CapPrm', 'CapEff', 'CapAmb')])\n"
                "print(os.getgroups())")
        proc = subprocess.run([sys.executable, "-I", "-S", "-c", code, os.path.dirname(WORKER)],
                              capture_output=True, text=True, timeout=30)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        ids, groups = proc.stdout.splitlines()
        self.assertEqual(ids, str([["65534"] * 4] * 2 + [["0000000000000000"]] * 4))
        self.assertEqual(groups, "[]")

    def test_threads_still_work_under_no_fork(self):
        code = ("import sys; sys.path.insert(0, sys.argv[1]); from agentos import _limits; "
                "_limits.apply('', True); import threading; t = threading.Thread(target=print, args=('ok',)); "
                "t.start(); t.join(); import os\n"
                "try:\n    os.fork()\nexcept OSError as e:\n    print('fork refused', e.errno)\n"
                "try:\n    os.execv('/bin/true', ['true'])\nexcept OSError as e:\n    print('exec refused', e.errno)\n")
        proc = subprocess.run([sys.executable, "-I", "-S", "-c", code, os.path.dirname(WORKER)],
                              capture_output=True, text=True, timeout=30)
        self.assertEqual(proc.stdout.split("\n")[:3], ["ok", "fork refused 11", "exec refused 1"], proc.stderr)


class CallLimitsTest(unittest.TestCase):
    def test_a_call_lowers_the_cpu_limit_before_the_skill_runs(self):
        source = ("import resource\nfrom agentos import returns\n@returns('x')\n"
                  "async def cpu(**params):\n    return list(resource.getrlimit(resource.RLIMIT_CPU))\n")
        with Worker(args=("--limits", "cpu=100")) as worker:
            worker.call(source, "cpu", limits={"cpu": 11})
            self.assertEqual(worker.result()["value"], [11, 11])

    def test_a_call_lowers_the_cpu_limit_through_setrlimit_too(self):
        source = ("import resource\nfrom agentos import returns\n@returns('x')\n"
                  "async def cpu(**params):\n    return list(resource.getrlimit(resource.RLIMIT_CPU))\n")
        for asked, held in ((11, [11, 11]), (500, [20, 20])):
            with Worker(args=("--limits", "cpu=20", "--no-fork")) as worker:
                worker.call(source, "cpu", limits={"cpu": asked})
                self.assertEqual(worker.result()["value"], held)

    def test_a_call_cannot_raise_a_limit(self):
        source = ("import resource\nfrom agentos import returns\n@returns('x')\n"
                  "async def cpu(**params):\n    return list(resource.getrlimit(resource.RLIMIT_CPU))\n")
        with Worker(args=("--limits", "cpu=20")) as worker:
            worker.call(source, "cpu", limits={"cpu": 500})
            self.assertEqual(worker.result()["value"], [20, 20])


if __name__ == "__main__":
    unittest.main()

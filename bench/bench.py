#!/usr/bin/python3
"""Rampart benchmark harness. Run it through bench/run.sh (which checks the tools, owns the
clean-up trap and documents the options); see bench/README.md for what is measured and how.

Every compositor is one Compositor subclass: how to start it, how it tells it is ready, which
socket it serves, how to stop it. Each is driven by the same client binary, started as the
same user as the compositor, with its own XDG_RUNTIME_DIR.
"""
import argparse
import json
import os
import platform
import pwd
import re
import math
import select
import signal
import stat
import statistics
import subprocess
import sys
import time

TOKEN_VAR = "RAMPART_BENCH_TOKEN"
CLK_TCK = os.sysconf("SC_CLK_TCK")
CLIENT_COMMON = ["--color", "3366cc", "--decoration", "server"]
WORKLOADS = [
    ("a", "(a) 1280x720 window, full redraw", ["--size", "1280x720", "--animate", "full"], 1),
    ("b", "(b) 32x32 damaged region", ["--size", "1280x720", "--animate", "region"], 1),
    ("c", "(c) 20 windows, top one animating", ["--size", "1280x720", "--windows", "20", "--animate", "full"], 20),
    ("d", "(d) fullscreen window, full redraw", ["--size", "1920x1080", "--fullscreen", "--animate", "full"], 1),
]


class BenchError(Exception):
    pass


def log(msg):
    sys.stderr.write("[bench %s] %s\n" % (time.strftime("%H:%M:%S"), msg))
    sys.stderr.flush()


# ---------------------------------------------------------------------------------------------
# process bookkeeping: everything we start carries TOKEN_VAR=<run token>-<instance> in its
# environment (children inherit it), so clean-up can find every one of them by id.

def token_pids(prefix):
    me = os.getpid()
    found = []
    for d in os.listdir("/proc"):
        if not d.isdigit() or int(d) == me:
            continue
        try:
            with open("/proc/%s/environ" % d, "rb") as f:
                env = f.read()
        except OSError:
            continue
        for item in env.split(b"\0"):
            if item.startswith(TOKEN_VAR.encode() + b"=") and \
               item.split(b"=", 1)[1].decode(errors="replace").startswith(prefix):
                found.append(int(d))
                break
    return found


def kill_token(prefix, sig=signal.SIGKILL):
    pids = token_pids(prefix)
    for pid in pids:
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass
    return pids


def user_ids(user):
    pw = pwd.getpwnam(user)
    return pw.pw_uid, pw.pw_gid


def spawn(argv, user, env, **kw):
    """Starts argv as user (via setpriv, which execs: the pid is the program's own)."""
    if user != "root":
        uid, gid = user_ids(user)
        argv = ["setpriv", "--reuid=%d" % uid, "--regid=%d" % gid, "--clear-groups", "--"] + argv
    return subprocess.Popen(argv, env=env, start_new_session=True, stdin=subprocess.DEVNULL, **kw)


def cpu_ticks(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            rest = f.read().rsplit(")", 1)[1].split()
    except OSError:
        raise BenchError("compositor (pid %d) is gone" % pid)
    return int(rest[11]) + int(rest[12])  # utime + stime (fields 14, 15), whole thread group


def sched_ns(pid):
    total = 0
    try:
        tasks = os.listdir("/proc/%d/task" % pid)
    except OSError:
        raise BenchError("compositor (pid %d) is gone" % pid)
    for t in tasks:
        try:
            with open("/proc/%d/task/%s/schedstat" % (pid, t)) as f:
                total += int(f.read().split()[0])
        except OSError:
            pass
    return total


def vm_rss_kb(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    raise BenchError("no VmRSS for pid %d" % pid)


def alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def wait_idle(pid, quiet=0.3, timeout=15.0):
    """Returns when the process used no CPU tick for `quiet` seconds (bounded by timeout)."""
    deadline = time.monotonic() + timeout
    last, since = cpu_ticks(pid), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.05)
        if not alive(pid):
            raise BenchError("compositor died")
        now = cpu_ticks(pid)
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return True
    return False


# ---------------------------------------------------------------------------------------------
class Compositor:
    key = "?"
    title = "?"
    user = "nobody"
    binary = None
    stop_timeout = 10.0

    def __init__(self, h):
        self.h = h
        self.proc = None
        self.rundir = None
        self.socket = None
        self.valgrind = False
        self.instance = 0
        self.t_exec = None

    # -- what differs between compositors
    def available(self):
        """None when it can run, else the reason ("not built", "not installed")."""
        return None if self.binary and os.access(self.binary, os.X_OK) else "not installed"

    def version(self):
        return ""

    def argv(self):
        raise NotImplementedError

    def extra_env(self):
        return {}

    def notes(self):
        return []

    def ready_socket(self):
        """Polled until it returns the socket name (or path)."""
        try:
            names = os.listdir(self.rundir)
        except OSError:
            return None
        for n in sorted(names):
            if re.fullmatch(r"wayland-\d+", n):
                try:
                    if stat.S_ISSOCK(os.stat(os.path.join(self.rundir, n)).st_mode):
                        return n
                except OSError:
                    pass
        return None

    def before_stop(self):
        pass

    def frames_committed_since(self, mark):
        """Frames the compositor committed since `mark` (from frame_mark()), or None if unknown."""
        return None

    def frame_mark(self):
        return None

    # -- common machinery
    @property
    def token(self):
        return "%s-%s%d" % (self.h.token, self.key, self.instance)

    def env(self):
        e = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": self.rundir,
            "XDG_RUNTIME_DIR": self.rundir,
            "LANG": "C.UTF-8",
            TOKEN_VAR: self.token,
        }
        e.update(self.extra_env())
        return e

    def client_env(self):
        e = self.env()
        for k in list(e):
            if k.startswith("WLR_"):
                del e[k]
        e["WAYLAND_DISPLAY"] = self.socket
        return e

    def start(self, valgrind=False, timeout=60.0):
        self.instance = self.h.next_instance()
        self.valgrind = valgrind
        self.rundir = os.path.join(self.h.tmp, "%s-%d" % (self.key, self.instance))
        os.makedirs(self.rundir)
        uid, gid = user_ids(self.user)
        os.chown(self.rundir, uid, gid)
        os.chmod(self.rundir, 0o700)
        self.prepare()
        argv = self.argv()
        if valgrind:
            argv = ["valgrind", "--tool=callgrind", "--instr-atstart=no", "--dump-line=no",
                    "--callgrind-out-file=%s/callgrind.out" % self.rundir,
                    "--vgdb-prefix=%s/vgdb-pipe" % self.rundir, "--log-file=%s/valgrind.log" % self.rundir] + argv
        self.logpath = os.path.join(self.h.logdir, "%s-%d%s.log" % (self.key, self.instance, "-callgrind" if valgrind else ""))
        logf = open(self.logpath, "wb")
        self.t_exec = time.monotonic()
        self.proc = spawn(argv, self.user, self.env(), stdout=logf, stderr=subprocess.STDOUT, cwd=self.rundir)
        logf.close()
        deadline = time.monotonic() + timeout
        while True:
            s = self.ready_socket()
            if s:
                self.socket = s
                self.t_ready = time.monotonic()
                return self.t_ready - self.t_exec
            if self.proc.poll() is not None:
                raise BenchError("%s exited (%s) before it was ready; see %s" % (self.key, self.proc.returncode, self.h.logdir))
            if time.monotonic() > deadline:
                raise BenchError("%s not ready after %.0f s" % (self.key, timeout))
            time.sleep(0.001)

    def prepare(self):
        pass

    def death_note(self):
        """Exit status and the last line of the compositor's output, for error messages."""
        rc = self.proc.returncode if self.proc else None
        last = ""
        try:
            with open(self.logpath, "rb") as f:
                lines = [l for l in f.read()[-4000:].decode(errors="replace").splitlines() if l.strip()]
            last = lines[-1].strip() if lines else ""
        except (OSError, AttributeError):
            pass
        return "exit status %s%s" % (rc, (": " + last) if last else "")

    @property
    def pid(self):
        return self.proc.pid

    def stop(self):
        if not self.proc:
            return
        try:
            if self.proc.poll() is None:
                self.before_stop()
                if self.proc.poll() is None:
                    try:
                        self.proc.terminate()
                    except ProcessLookupError:
                        pass
                try:
                    self.proc.wait(timeout=self.stop_timeout * (4 if self.valgrind else 1))
                except subprocess.TimeoutExpired:
                    log("%s did not stop on SIGTERM: killing it" % self.key)
        finally:
            kill_token(self.token)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
            self.proc = None

    def settle(self, quiet=0.3, timeout=15.0):
        if not wait_idle(self.pid, quiet, timeout * (3 if self.valgrind else 1)):
            log("%s never went idle for %.1f s (continuing)" % (self.key, quiet))

    # -- callgrind control
    def callgrind(self, *cmd):
        argv = ["callgrind_control", "--vgdb-prefix=%s/vgdb-pipe" % self.rundir] + list(cmd) + [str(self.pid)]
        for attempt in range(3):
            p = spawn(argv, self.user, self.env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            try:
                out, _ = p.communicate(timeout=60)
            except subprocess.TimeoutExpired:
                p.kill()
                out = b"timeout"
            if p.returncode == 0 and b"OK" in out:
                return
            time.sleep(0.5)
        raise BenchError("callgrind_control %s failed: %s" % (" ".join(cmd), out.decode(errors="replace").strip()))

    def dump_totals(self):
        before = set(os.listdir(self.rundir))
        self.callgrind("--dump")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            new = [n for n in set(os.listdir(self.rundir)) - before if n.startswith("callgrind.out.")]
            for n in new:
                with open(os.path.join(self.rundir, n)) as f:
                    text = f.read()
                m = re.search(r"^totals:\s+(\d+)", text, re.M) or re.search(r"^summary:\s+(\d+)", text, re.M)
                if m:
                    os.unlink(os.path.join(self.rundir, n))
                    return int(m.group(1))
            time.sleep(0.05)
        raise BenchError("no callgrind dump appeared")


class Rampart(Compositor):
    key, title, user = "rampart", "Rampart", "root"

    def __init__(self, h):
        super().__init__(h)
        self.binary = os.path.join(h.build, "compositor", "rampart")
        self.evlog = None

    def available(self):
        return None if os.access(self.binary, os.X_OK) else "not built (%s missing)" % self.binary

    def version(self):
        try:
            out = subprocess.run([self.binary, "--version"], capture_output=True, timeout=5, stdin=subprocess.DEVNULL)
            return out.stdout.decode(errors="replace").strip().splitlines()[0] if out.returncode == 0 and out.stdout else ""
        except Exception:
            return ""

    def prepare(self):
        self.evlog = os.path.join(self.rundir, "events.jsonl")
        open(self.evlog, "w").close()
        if self.h.rampart_config:
            self.config = self.h.rampart_config
        else:
            self.config = os.path.join(self.rundir, "rampart.toml")
            with open(self.config, "w") as f:
                f.write("# generated by bench/run.sh: defaults only\n")

    def argv(self):
        return [self.binary, "--headless", "--outputs", "1", "--output-size", "1920x1080",
                "--config", self.config, "--event-log", self.evlog]

    def extra_env(self):
        return {"WLR_RENDERER": "pixman", "WLR_BACKENDS": "headless"}

    def events(self, offset=0):
        out = []
        with open(self.evlog, "rb") as f:
            f.seek(offset)
            data = f.read()
        end = data.rfind(b"\n") + 1
        for line in data[:end].splitlines():
            try:
                out.append(json.loads(line))
            except ValueError:
                pass
        return out, offset + end

    def ready_socket(self):
        evs, _ = self.events()
        for e in evs:
            if e.get("event") == "ready" and e.get("socket"):
                return e["socket"]
        return None

    def frame_mark(self):
        return self.events()[1]

    def frames_committed_since(self, mark):
        evs, _ = self.events(mark)
        return sum(1 for e in evs if e.get("event") == "output_commit")

    def notes(self):
        return ["runs as root; event log gives ready/socket and output_commit counts"]


class Sway(Compositor):
    key, title, binary = "sway", "sway 1.7", "/usr/bin/sway"

    def version(self):
        return _first_line(["sway", "--version"])

    def prepare(self):
        self.conf = os.path.join(self.rundir, "sway.conf")
        with open(self.conf, "w") as f:
            f.write("output HEADLESS-1 mode 1920x1080 position 0 0\n"
                    "xwayland disable\n")
            if not self.h.sway_tiling:
                f.write('for_window [app_id=".*"] floating enable\n')
        os.chmod(self.conf, 0o644)

    def argv(self):
        return ["sway", "-c", self.conf]

    def extra_env(self):
        return {"WLR_BACKENDS": "headless", "WLR_RENDERER": "pixman", "WLR_HEADLESS_OUTPUTS": "1",
                "WLR_LIBINPUT_NO_DEVICES": "1"}

    def notes(self):
        n = ["refuses root: runs as nobody; config: 1920x1080 output, no bar, no wallpaper, xwayland off"]
        n.append("tiling layout (--sway-tiling)" if self.h.sway_tiling else
                 "every window floating (centred, so the 20 windows overlap as in a stacking compositor)")
        return n


class Cage(Compositor):
    key, title, binary = "cage", "cage 0.1.4", "/usr/bin/cage"

    def available(self):
        if not os.access(self.binary, os.X_OK):
            return "not installed"
        if not os.access("/usr/bin/Xwayland", os.X_OK):
            return "not runnable: cage 0.1.4 needs /usr/bin/Xwayland (package xwayland)"
        return None

    def version(self):
        return _first_line(["cage", "-v"])

    def argv(self):
        # cage needs an application and exits with it: a placeholder that never maps a window
        # keeps it up; the bench client connects to its socket like any other client.
        return ["cage", "--", "sleep", "86400"]

    def extra_env(self):
        return {"WLR_BACKENDS": "headless", "WLR_RENDERER": "pixman", "WLR_HEADLESS_OUTPUTS": "1",
                "WLR_LIBINPUT_NO_DEVICES": "1"}

    def before_stop(self):
        # cage aborts on SIGTERM (wl_display_terminate assertion); ending its application
        # makes it exit cleanly.
        for pid in token_pids(self.token):
            if pid != self.pid and _ppid(pid) == self.pid:
                try:
                    os.kill(pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        try:
            self.proc.wait(timeout=5 * (4 if self.valgrind else 1))
        except subprocess.TimeoutExpired:
            pass

    def notes(self):
        return ["runs as nobody; headless output is 1280x720 (cage 0.1.4 cannot size it); "
                "every window is maximized to the output; default decoration mode (client-side); "
                "a window exactly covering the output is scanned out, not composited"]


class Weston(Compositor):
    key, title, binary = "weston", "weston 10", "/usr/bin/weston"

    def version(self):
        return _first_line(["weston", "--version"])

    def prepare(self):
        # Only the time-based animations are switched off: how many frames a map/close
        # animation lasts depends on speed (callgrind!), which made the per-run setup cost vary
        # by several M instructions and the A/B difference of cheap workloads meaningless.
        self.ini = os.path.join(self.rundir, "weston.ini")
        with open(self.ini, "w") as f:
            f.write("[core]\nidle-time=0\n[shell]\nanimation=none\nclose-animation=none\n"
                    "startup-animation=none\nfocus-animation=none\n")
        os.chmod(self.ini, 0o644)

    def argv(self):
        return ["weston", "--backend=headless-backend.so", "--use-pixman", "--width=1920", "--height=1080",
                "--socket=wayland-1", "--idle-time=0", "--config=%s" % self.ini, "--log=%s/weston.log" % self.rundir]

    def notes(self):
        return ["runs as nobody; desktop-shell (panel with clock + background client); weston.ini turns "
                "the map/close/startup/focus animations off; no xdg-decoration, so windows are undecorated"]


def _loadavg():
    try:
        with open("/proc/loadavg") as f:
            return f.read().split()[0]
    except OSError:
        return "?"


def _first_line(argv):
    try:
        out = subprocess.run(argv, capture_output=True, timeout=5, stdin=subprocess.DEVNULL)
        text = (out.stdout or out.stderr).decode(errors="replace").strip()
        return text.splitlines()[0] if text else ""
    except Exception:
        return ""


def _ppid(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return int(f.read().rsplit(")", 1)[1].split()[1])
    except OSError:
        return -1


COMPOSITORS = {c.key: c for c in (Rampart, Sway, Cage, Weston)}


# ---------------------------------------------------------------------------------------------
class Harness:
    def __init__(self, a):
        self.a = a
        self.build = a.build_dir
        self.token = a.token
        self.tmp = a.tmp
        self.out = a.out
        self.logdir = os.path.join(a.out, "logs")
        os.makedirs(self.logdir, exist_ok=True)
        self.client = a.client
        self.rampart_config = a.rampart_config
        self.sway_tiling = a.sway_tiling
        self._instance = 0

    def next_instance(self):
        self._instance += 1
        return self._instance

    def run_client(self, comp, args, timeout, on_event=None, name="client"):
        """Runs the client against comp; returns (stats dict or None, [(t, event)], wall s)."""
        argv = list(self.client) + CLIENT_COMMON + args
        errf = open(os.path.join(self.logdir, "%s-%d-%s.stderr" % (comp.key, comp.instance, name)), "ab")
        errf.write(("$ %s\n" % " ".join(argv)).encode())
        errf.flush()
        outf = open(os.path.join(self.logdir, "%s-%d-%s.stdout" % (comp.key, comp.instance, name)), "ab")
        outf.write(("$ %s\n" % " ".join(argv)).encode())
        t0 = time.monotonic()
        p = spawn(argv, comp.user, comp.client_env(), stdout=subprocess.PIPE, stderr=errf)
        errf.close()
        fd = p.stdout.fileno()
        buf, events, stats = b"", [], None
        deadline = t0 + timeout
        timed_out = False
        try:
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    timed_out = True
                    break
                r, _, _ = select.select([fd], [], [], min(left, 0.1))
                if not r:
                    if comp.proc.poll() is not None:
                        raise BenchError("compositor died during the client run")
                    continue
                data = os.read(fd, 65536)
                if not data:
                    break
                buf += data
                outf.write(data)
                while b"\n" in buf:
                    line, buf = buf.split(b"\n", 1)
                    now = time.monotonic()
                    try:
                        ev = json.loads(line)
                    except ValueError:
                        continue
                    if not isinstance(ev, dict):
                        continue
                    events.append((now, ev))
                    if ev.get("event") == "stats":
                        stats = dict(ev, t=now)
                    if on_event:
                        on_event(now, ev, p)
        finally:
            if timed_out or p.poll() is None:
                try:
                    p.wait(timeout=0 if timed_out else 5)
                except subprocess.TimeoutExpired:
                    pass
            if p.poll() is None:
                p.kill()
                p.wait(timeout=5)
            p.stdout.close()
            outf.close()
        if timed_out:
            raise BenchError("client timed out after %.0f s (%s)" % (timeout, " ".join(args)))
        return stats, events, time.monotonic() - t0

    # -- measurements ----------------------------------------------------------------------
    def callgrind_workload(self, comp, wl_args):
        """Instructions per frame = (Ir(B) - Ir(A)) / (frames(B) - frames(A)): A is a run of
        cg_a_frames frames, B one of about cg_seconds more (its frame count sized from A's
        rate). Both end with --frames, i.e. right at a frame callback with no commit in flight,
        so the client's connection, mapping, irregular first frames and teardown cost the same
        in both and cancel out. An uninstrumented warm-up run first keeps first-use work (font
        and glyph caches, first buffer of a size, ...) out of A. The A/B pair is repeated
        cg_repeats times; the median is reported with the spread."""
        comp.settle()
        n_a = str(self.a.cg_a_frames)
        self.run_client(comp, wl_args + ["--frames", n_a], 300, name="cgW")
        comp.settle()
        comp.callgrind("--zero")
        comp.callgrind("--instr=on")
        pairs, n_b = [], None
        try:
            for rep in range(self.a.cg_repeats):
                sa, _, wall_a = self.run_client(comp, wl_args + ["--frames", n_a], 300, name="cgA")
                if not sa:
                    raise BenchError("client printed no stats (A run)")
                comp.settle()
                ir_a = comp.dump_totals()
                if n_b is None:
                    fps_a = sa["frames"] / sa["seconds"] if sa.get("seconds") else 0.0
                    if fps_a <= 0:  # no rate from the client: fall back to A's wall time
                        fps_a = sa["frames"] / max(wall_a, 0.1)
                    extra = max(self.a.cg_min_frames, int(round(fps_a * self.a.cg_seconds)))
                    n_b = sa["frames"] + extra
                    budget = wall_a + 5 * extra / fps_a + 120
                sb, _, wall_b = self.run_client(comp, wl_args + ["--frames", str(n_b)], budget, name="cgB")
                if not sb:
                    raise BenchError("client printed no stats (B run)")
                comp.settle()
                ir_b = comp.dump_totals()
                df = sb["frames"] - sa["frames"]
                if df <= 0:
                    raise BenchError("B run saw no more frames than A (%d vs %d)" % (sb["frames"], sa["frames"]))
                pairs.append({"instr_per_frame": (ir_b - ir_a) / df, "frames": df, "ir_a": ir_a, "ir_b": ir_b,
                              "frames_a": sa["frames"], "frames_b": sb["frames"], "wall_a": round(wall_a, 2),
                              "wall_b": round(wall_b, 2),
                              "fps_under_callgrind": round(sb["frames"] / sb["seconds"], 1) if sb.get("seconds") else None})
        finally:
            if comp.proc is not None and comp.proc.poll() is None:
                comp.callgrind("--instr=off")
        est = [p["instr_per_frame"] for p in pairs]
        med = statistics.median(est)
        spread = (max(est) - min(est)) / abs(med) if len(est) > 1 and med else 0.0
        return {"instr_per_frame": med, "spread": spread, "frames": sum(p["frames"] for p in pairs),
                "fps_under_callgrind": pairs[-1]["fps_under_callgrind"], "pairs": pairs}

    def cpu_run(self, comp, wl_args, nwin):
        """CPU of the compositor from the moment the animating window is mapped (its 'mapped'
        log line, written when its first buffer is committed) to the client's stats line,
        divided by the frame callbacks the client counted (all of them are after the mark)."""
        comp.settle()
        mark = {}

        def on_event(t, ev, p):
            if ev.get("event") == "mapped" and "t" not in mark:
                # the client maps its windows in order; the last one is the animating one
                mark["seen"] = mark.get("seen", 0) + 1
                if mark["seen"] == nwin:
                    mark.update(t=t, ticks=cpu_ticks(comp.pid), ns=sched_ns(comp.pid))
            elif ev.get("event") == "stats":
                mark.update(t1=t, ticks1=cpu_ticks(comp.pid), ns1=sched_ns(comp.pid))

        t_start, ticks_start, ns_start = time.monotonic(), cpu_ticks(comp.pid), sched_ns(comp.pid)
        stats, _, wall = self.run_client(comp, wl_args + ["--log", "--duration", str(self.a.cpu_seconds)],
                                         self.a.cpu_seconds + 120, on_event=on_event, name="cpu")
        if not stats or "t1" not in mark:
            raise BenchError("client printed no stats")
        setup_included = "t" not in mark
        if setup_included:  # no usable 'mapped' line: count from the client's start
            mark.update(t=t_start, ticks=ticks_start, ns=ns_start)
        frames = stats["frames"]
        if frames <= 0:
            raise BenchError("client saw no frames")
        ticks = mark["ticks1"] - mark["ticks"]
        return {"cpu_ms_per_frame": ticks * 1000.0 / CLK_TCK / frames,
                "sched_ms_per_frame": (mark["ns1"] - mark["ns"]) / 1e6 / frames,
                "frames": frames, "cpu_ms": ticks * 1000.0 / CLK_TCK,
                "fps": frames / (mark["t1"] - mark["t"]) if mark["t1"] > mark["t"] else None,
                "setup_included": setup_included}

    def map_and_hold(self, comp, nwin, action):
        """Maps nwin static windows, runs action() once all are mapped, then ends the client."""
        result = {}

        def on_event(t, ev, p):
            if ev.get("event") == "mapped":
                result["mapped"] = result.get("mapped", 0) + 1
                if result["mapped"] == nwin and "value" not in result:
                    result["value"] = action()
                    p.terminate()

        self.run_client(comp, ["--size", "1280x720", "--windows", str(nwin), "--animate", "none", "--log",
                               "--duration", "120"], 180, on_event=on_event, name="hold%d" % nwin)
        if "value" not in result:
            raise BenchError("client exited before all %d windows were mapped (%d seen)" % (nwin, result.get("mapped", 0)))
        return result["value"]

    def measure(self, comp):
        res = {"title": comp.title, "version": comp.version(), "notes": comp.notes(), "workloads": {}, "errors": []}
        todo = [w for w in WORKLOADS if w[0] in self.a.workloads]

        def guarded(what, fn):
            if comp.proc is not None and comp.proc.poll() is not None:
                res["errors"].append("%s: skipped, compositor had exited" % what)
                return None
            try:
                return fn()
            except Exception as e:  # one broken measurement must not end the whole bench
                if comp.proc is not None and comp.proc.poll() is not None:
                    e = "%s (compositor died, %s)" % (e, comp.death_note())
                log("%s %s: %s" % (comp.key, what, e))
                res["errors"].append("%s: %s" % (what, e))
                return None

        # 1. start to first frame: fresh compositor each time, client started on the socket
        if "start" in self.a.parts:
            starts, ready = [], []
            for i in range(self.a.start_runs):
                def one():
                    try:
                        t_ready = comp.start()
                        st, _, _ = self.run_client(comp, ["--size", "1280x720", "--animate", "full", "--frames", "1"], 60, name="start")
                        if not st:
                            raise BenchError("client printed no stats")
                        return (st["t"] - comp.t_exec) * 1000, t_ready * 1000
                    except Exception as e:
                        if comp.proc is not None and comp.proc.poll() is not None:
                            raise BenchError("%s (compositor died, %s)" % (e, comp.death_note()))
                        raise
                    finally:
                        comp.stop()
                r = guarded("start run %d" % i, one)
                if r:
                    starts.append(r[0])
                    ready.append(r[1])
            if starts:
                res["start_ms"] = statistics.median(starts)
                res["start_runs_ms"] = [round(x, 1) for x in starts]
                res["ready_ms"] = statistics.median(ready)

        # 2. native instance: RSS, idle check, CPU per frame
        if {"rss", "idle", "cpu"} & set(self.a.parts):
            try:
                comp.start()
                comp.settle(quiet=0.5)
                time.sleep(0.5)
                comp.settle(quiet=0.5)
                if "rss" in self.a.parts:
                    res["rss_idle_kb"] = vm_rss_kb(comp.pid)
                if "idle" in self.a.parts:
                    def idle_check():
                        def action():
                            time.sleep(0.5)
                            comp.settle(quiet=0.3)
                            mark = comp.frame_mark()
                            t0, c0, n0 = time.monotonic(), cpu_ticks(comp.pid), sched_ns(comp.pid)
                            time.sleep(self.a.idle_seconds)
                            c1, n1 = cpu_ticks(comp.pid), sched_ns(comp.pid)
                            return {"seconds": round(time.monotonic() - t0, 2),
                                    "frames": comp.frames_committed_since(mark),
                                    "cpu_ms": (c1 - c0) * 1000.0 / CLK_TCK, "sched_ms": (n1 - n0) / 1e6}
                        return self.map_and_hold(comp, 1, action)
                    res["idle"] = guarded("idle check", idle_check)
                if "rss" in self.a.parts:
                    def rss20():
                        def action():
                            time.sleep(0.3)
                            comp.settle(quiet=0.3)
                            return vm_rss_kb(comp.pid)
                        return self.map_and_hold(comp, 20, action)
                    res["rss_20_kb"] = guarded("rss with 20 windows", rss20)
                if "cpu" in self.a.parts:
                    for key, label, args, nwin in todo:
                        runs = []
                        for i in range(self.a.cpu_runs):
                            r = guarded("cpu %s run %d" % (key, i), lambda: self.cpu_run(comp, args, nwin))
                            if r:
                                runs.append(r)
                        if runs:
                            w = res["workloads"].setdefault(key, {})
                            w["cpu_ms_per_frame"] = statistics.median(r["cpu_ms_per_frame"] for r in runs)
                            w["sched_ms_per_frame"] = statistics.median(r["sched_ms_per_frame"] for r in runs)
                            w["fps"] = statistics.median(r["fps"] for r in runs if r["fps"])
                            w["cpu_runs"] = runs
            except Exception as e:
                log("%s native instance: %s" % (comp.key, e))
                res["errors"].append("native instance: %s" % e)
            finally:
                comp.stop()

        # 3. callgrind instance: instructions per frame
        if "callgrind" in self.a.parts and todo:
            try:
                comp.start(valgrind=True, timeout=120)
                comp.settle(quiet=0.5, timeout=60)
                for key, label, args, nwin in todo:
                    r = guarded("callgrind %s" % key, lambda: self.callgrind_workload(comp, args))
                    if r:
                        res["workloads"].setdefault(key, {})["callgrind"] = r
            except Exception as e:
                log("%s callgrind instance: %s" % (comp.key, e))
                res["errors"].append("callgrind instance: %s" % e)
            finally:
                comp.stop()
        return res


# ---------------------------------------------------------------------------------------------
def fmt_m(x):
    if x is None:
        return "?"
    m = x / 1e6
    return "%.3f M" % m if m < 0.1 else ("%.2f M" % m if m < 10 else "%.1f M" % m)


def fmt_ms(x):
    return "?" if x is None else ("%.3f ms" % x if x < 0.1 else "%.2f ms" % x)


def render_markdown(doc):
    meta = doc["meta"]
    L = []
    L.append("# Rampart benchmark: compositor cost per displayed frame")
    L.append("")
    L.append("%s, %s, %d cores, kernel %s. Client: `%s`%s. Headless, pixman renderer, one 1920x1080 output "
             "(cage: 1280x720). Total bench time %.0f s; load average %s at the start, %s at the end (anything else running "
             "on the 2 cores shows in the CPU ms and start times, not in the instruction counts)." % (
                 meta["date"], meta["host"], meta["cpus"], meta["kernel"], meta["client"],
                 " **(stand-in, provisional)**" if meta["client_is_standin"] else "", meta["elapsed_s"],
                 meta.get("loadavg_start", "?"), meta.get("loadavg_end", "?")))
    L.append("")
    L.append("Cells: compositor instructions per displayed frame (callgrind) · compositor CPU ms per displayed "
             "frame (utime+stime, median of %d runs of %.0f s). fps is capped by the headless timers: compare "
             "cost per frame, not fps." % (meta["cpu_runs"], meta["cpu_seconds"]))
    L.append("")
    hdr = ["compositor"] + [WL_SHORT[k] for k in meta["workloads"]] + \
        ["start → first frame", "RSS idle / 20 windows", "static window, %.0f s" % meta["idle_seconds"]]
    L.append("| " + " | ".join(hdr) + " |")
    L.append("|" + "---|" * len(hdr))
    for key in meta["order"]:
        r = doc["compositors"][key]
        if r.get("status"):
            L.append("| %s | %s |" % (r["title"], " | ".join([r["status"]] + [""] * (len(hdr) - 2))))
            continue
        cells = [r["title"]]
        for k in meta["workloads"]:
            w = r["workloads"].get(k, {})
            cgr = w.get("callgrind", {})
            cg = cgr.get("instr_per_frame")
            cpu = w.get("cpu_ms_per_frame")
            if cg is None and cpu is None:
                cells.append("error")
            else:
                unstable = " (±%.0f %%)" % (50 * cgr["spread"]) if cgr.get("spread", 0) > 0.01 else ""
                cells.append("%s%s · %s" % (fmt_m(cg), unstable, fmt_ms(cpu)))
        cells.append("%.0f ms" % r["start_ms"] if r.get("start_ms") is not None else "?")
        ri, r20 = r.get("rss_idle_kb"), r.get("rss_20_kb")
        cells.append("%s / %s MB" % ("?" if ri is None else "%.0f" % (ri / 1024), "?" if r20 is None else "%.0f" % (r20 / 1024)))
        idle = r.get("idle")
        if idle:
            fr = "n/a" if idle["frames"] is None else "%d frames" % idle["frames"]
            cells.append("%s, CPU %.0f ms" % (fr, idle["cpu_ms"]))
        else:
            cells.append("?")
        L.append("| " + " | ".join(cells) + " |")
    L.append("")
    L.append("## Details and sample sizes")
    L.append("")
    L.append("Callgrind: Δframes = frames(B) − frames(A), A = %d-frame run, B = A + max(%d, %.0f s worth of A's rate) frames, "
             "after one uninstrumented warm-up run; per frame = ΔIr / Δframes, median of %d A/B pairs (a cell shows ± half "
             "the spread when the pairs differ by more than 1 %%). CPU: frames between the animating window's `mapped` line and the "
             "client's stats line (frames counted by the client), per run; sched = /proc/PID/task/*/schedstat (ns) as a cross-check." % (meta["cg_a_frames"], meta["cg_min_frames"], meta["cg_seconds"], meta["cg_repeats"]))
    L.append("")
    L.append("| compositor | workload | callgrind M/frame per A/B pair, Δframes each (fps under callgrind) | CPU frames per run | CPU ms/frame per run | sched ms/frame | fps |")
    L.append("|---|---|---|---|---|---|---|")
    for key in meta["order"]:
        r = doc["compositors"][key]
        if r.get("status"):
            continue
        for k in meta["workloads"]:
            w = r["workloads"].get(k, {})
            cg = w.get("callgrind")
            runs = w.get("cpu_runs", [])
            L.append("| %s | %s | %s | %s | %s | %s | %s |" % (
                r["title"], WL_SHORT[k],
                "%s (%s)" % (", ".join("%s / %d" % (fmt_m(p["instr_per_frame"]), p["frames"]) for p in cg["pairs"]),
                             cg["fps_under_callgrind"]) if cg else "?",
                ", ".join(str(x["frames"]) for x in runs) or "?",
                ", ".join("%.3f" % x["cpu_ms_per_frame"] for x in runs) or "?",
                fmt_ms(w.get("sched_ms_per_frame")) if runs else "?",
                "%.0f" % w["fps"] if w.get("fps") else "?"))
    L.append("")
    L.append("Start → first frame: ms from exec of the compositor to the client's first frame callback "
             "(client exec'd as soon as the compositor's socket exists, `--animate full --frames 1`, "
             "time of its stats line); median of %d fresh starts." % meta["start_runs"])
    L.append("")
    for key in meta["order"]:
        r = doc["compositors"][key]
        if r.get("status"):
            continue
        extra = []
        if r.get("start_runs_ms"):
            extra.append("start runs %s ms, socket/ready after %.0f ms (median)" % (r["start_runs_ms"], r["ready_ms"]))
        if r.get("idle"):
            extra.append("static window: %s" % json.dumps(r["idle"]))
        L.append("- **%s** (%s): %s%s%s" % (r["title"], r["version"] or "version ?", "; ".join(r["notes"]),
                                           ("; " + "; ".join(extra)) if extra else "",
                                           ("; **errors**: " + "; ".join(r["errors"])) if r["errors"] else ""))
    L.append("")
    return "\n".join(L)


WL_SHORT = {"a": "(a) 1280x720 full", "b": "(b) 32x32 region", "c": "(c) 20 windows", "d": "(d) fullscreen"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build-dir", required=True)
    ap.add_argument("--client", required=True, nargs="+")
    ap.add_argument("--client-is-standin", action="store_true")
    ap.add_argument("--token", required=True)
    ap.add_argument("--tmp", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--only", default="rampart,sway,cage,weston")
    ap.add_argument("--workloads", default="abcd")
    ap.add_argument("--parts", default="start,rss,idle,cpu,callgrind")
    ap.add_argument("--cpu-runs", type=int, default=3)
    ap.add_argument("--cpu-seconds", type=int, default=6)
    ap.add_argument("--cg-seconds", type=float, default=3.0)
    ap.add_argument("--start-runs", type=int, default=5)
    ap.add_argument("--idle-seconds", type=float, default=3.0)
    ap.add_argument("--rampart-config", default=None)
    ap.add_argument("--sway-tiling", action="store_true")
    ap.add_argument("--cg-a-frames", type=int, default=10)
    ap.add_argument("--cg-min-frames", type=int, default=30)
    ap.add_argument("--cg-repeats", type=int, default=3)
    a = ap.parse_args()
    a.parts = a.parts.split(",")
    t0 = time.monotonic()
    load_start = _loadavg()
    h = Harness(a)
    order = [k for k in a.only.split(",") if k]
    for k in order:
        if k not in COMPOSITORS:
            sys.exit("unknown compositor %r (known: %s)" % (k, ", ".join(COMPOSITORS)))
    doc = {"meta": {}, "compositors": {}}
    for key in order:
        comp = COMPOSITORS[key](h)
        why = comp.available()
        if why:
            log("%s: %s" % (key, why))
            doc["compositors"][key] = {"title": comp.title, "status": why}
            continue
        log("%s: measuring" % key)
        t1 = time.monotonic()
        try:
            doc["compositors"][key] = h.measure(comp)
        finally:
            comp.stop()
            kill_token("%s-%s" % (a.token, key))
        doc["compositors"][key]["elapsed_s"] = round(time.monotonic() - t1, 1)
        log("%s: done in %.0f s" % (key, time.monotonic() - t1))
    doc["meta"] = {
        "date": time.strftime("%Y-%m-%d %H:%M %Z"), "host": platform.node(), "cpus": os.cpu_count(),
        "kernel": platform.release(), "client": " ".join(a.client), "client_is_standin": a.client_is_standin,
        "order": order, "workloads": [w for w in "abcd" if w in a.workloads], "cpu_runs": a.cpu_runs,
        "cpu_seconds": a.cpu_seconds, "cg_seconds": a.cg_seconds, "cg_a_frames": a.cg_a_frames, "cg_min_frames": a.cg_min_frames, "cg_repeats": a.cg_repeats, "start_runs": a.start_runs,
        "idle_seconds": a.idle_seconds, "parts": a.parts, "elapsed_s": round(time.monotonic() - t0, 1),
        "loadavg_start": load_start, "loadavg_end": _loadavg(),
        "workload_args": {k: CLIENT_COMMON + args for k, _, args, _ in WORKLOADS},
    }
    with open(os.path.join(a.out, "results.json"), "w") as f:
        json.dump(doc, f, indent=1)
    md = render_markdown(doc)
    with open(os.path.join(a.out, "results.md"), "w") as f:
        f.write(md)
    print(md)


if __name__ == "__main__":
    def _exit_on(sig, _frame):
        raise SystemExit(128 + sig)
    for _s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(_s, _exit_on)
    main()

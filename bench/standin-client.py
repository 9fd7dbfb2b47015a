#!/usr/bin/python3 -SE
"""Stand-in for tests/client/rampart-test-client, for developing bench/run.sh only.

Speaks the Wayland wire protocol directly (standard library only, no libwayland), with the
same command line and stdout contract as rampart-test-client:

  --size WxH --color RRGGBB --windows N --animate none|full|region --frames N --duration S
  --fullscreen --maximized --decoration server|client|none --log

XRGB8888 wl_shm buffers with an opaque region, frame-callback driven; with --windows N only
the last window animates. With --animate full|region it prints at exit one JSON line
{"event":"stats","frames":N,"seconds":S}; --log prints {"event":"mapped","window":i} when a
window's first buffer is committed (windows numbered from 1). "frames" counts the frame
callbacks of the animating window (the first one, for the mapping commit, included). The client stops at a frame
callback: the last commit it made is always one whose callback it received. --duration is
counted from that first frame callback; --frames N stops after N callbacks.

Results measured with it are provisional: run.sh uses rampart-test-client unless told
otherwise with --client.
"""
import json
import mmap
import os
import select
import signal
import socket
import struct
import sys
import time

# Opcodes (requests) of the interfaces used; see wayland.xml / xdg-shell.xml.
DISPLAY_SYNC, DISPLAY_GET_REGISTRY = 0, 1
REGISTRY_BIND = 0
COMPOSITOR_CREATE_SURFACE, COMPOSITOR_CREATE_REGION = 0, 1
SHM_CREATE_POOL = 0
POOL_CREATE_BUFFER = 0
SURFACE_ATTACH, SURFACE_FRAME, SURFACE_SET_OPAQUE, SURFACE_COMMIT, SURFACE_DAMAGE_BUFFER = 1, 3, 4, 6, 9
SURFACE_DAMAGE = 2
REGION_DESTROY, REGION_ADD = 0, 1
WM_BASE_GET_XDG_SURFACE, WM_BASE_PONG = 2, 3
XDG_SURFACE_GET_TOPLEVEL, XDG_SURFACE_ACK_CONFIGURE = 1, 4
TOPLEVEL_SET_TITLE, TOPLEVEL_SET_APP_ID, TOPLEVEL_SET_MAXIMIZED, TOPLEVEL_SET_FULLSCREEN = 2, 3, 9, 11
DECO_MGR_GET_TOPLEVEL_DECORATION = 1
DECO_SET_MODE = 1
FORMAT_XRGB8888 = 1
NBUF = 3


def die(msg):
    sys.stderr.write("standin-client: %s\n" % msg)
    sys.exit(1)


def parse_args(argv):
    o = {"w": 640, "h": 480, "color": 0x3366CC, "windows": 1, "animate": "none", "frames": 0,
         "duration": 0.0, "fullscreen": False, "maximized": False, "decoration": "server",
         "log": False}
    i = 0
    while i < len(argv):
        a = argv[i]
        def val():
            if i + 1 >= len(argv):
                die("missing value for " + a)
            return argv[i + 1]
        if a == "--size":
            w, h = val().lower().split("x")
            o["w"], o["h"] = int(w), int(h)
            i += 1
        elif a == "--color":
            o["color"] = int(val().lstrip("#"), 16)
            i += 1
        elif a == "--windows":
            o["windows"] = max(1, int(val()))
            i += 1
        elif a == "--animate":
            o["animate"] = val()
            if o["animate"] not in ("none", "full", "region"):
                die("bad --animate")
            i += 1
        elif a == "--frames":
            o["frames"] = int(val())
            i += 1
        elif a == "--duration":
            o["duration"] = float(val())
            i += 1
        elif a == "--decoration":
            o["decoration"] = val()
            i += 1
        elif a in ("--fullscreen", "--maximized", "--log"):
            o[a[2:]] = True
        else:
            die("unknown option " + a)
        i += 1
    return o


class Conn:
    def __init__(self):
        name = os.environ.get("WAYLAND_DISPLAY", "wayland-0")
        path = name if name.startswith("/") else os.path.join(os.environ["XDG_RUNTIME_DIR"], name)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            self.sock.connect(path)
        except OSError as e:
            die("cannot connect to %s: %s" % (path, e))
        self.next_id = 2
        self.out = bytearray()
        self.inbuf = b""
        self.handlers = {}  # object id -> callable(opcode, payload)

    def new_id(self, handler=None):
        oid = self.next_id
        self.next_id += 1
        if handler:
            self.handlers[oid] = handler
        return oid

    def req(self, oid, opcode, fmt="", *args, fd=None):
        body = bytearray()
        for t, v in zip(fmt, args):
            if t in "uo":
                body += struct.pack("<I", v)
            elif t == "i":
                body += struct.pack("<i", v)
            elif t == "s":
                b = v.encode() + b"\0"
                body += struct.pack("<I", len(b)) + b + b"\0" * (-len(b) % 4)
        self.out += struct.pack("<II", oid, ((8 + len(body)) << 16) | opcode) + body
        if fd is not None:
            self.flush(fds=[fd])

    def flush(self, fds=None):
        if not self.out:
            return
        data, self.out = bytes(self.out), bytearray()
        anc = [(socket.SOL_SOCKET, socket.SCM_RIGHTS, struct.pack("%di" % len(fds), *fds))] if fds else []
        sent = self.sock.sendmsg([data], anc)
        while sent < len(data):
            sent += self.sock.send(data[sent:])

    def dispatch(self, timeout):
        self.flush()
        r, _, _ = select.select([self.sock], [], [], timeout)
        if not r:
            return
        chunk = self.sock.recv(65536)
        if not chunk:
            die("compositor closed the connection")
        buf = self.inbuf + chunk
        off = 0
        while len(buf) - off >= 8:
            oid, word = struct.unpack_from("<II", buf, off)
            size = word >> 16
            if len(buf) - off < size:
                break
            h = self.handlers.get(oid)
            if h:
                h(word & 0xFFFF, buf[off + 8:off + size])
            off += size
        self.inbuf = buf[off:]


def get_str(p, off):
    n, = struct.unpack_from("<I", p, off)
    s = p[off + 4:off + 4 + n - 1].decode(errors="replace")
    return s, off + 4 + n + (-n % 4)


class Window:
    def __init__(self, app, idx):
        self.app, self.idx = app, idx
        c = app.c
        self.w, self.h = app.o["w"], app.o["h"]
        self.mapped = False
        self.pending_size = (0, 0)
        self.buffers = []  # [buffer id, busy, byte offset in the pool]
        self.pool_map = None
        self.surface = c.new_id(lambda op, p: None)
        c.req(app.compositor, COMPOSITOR_CREATE_SURFACE, "u", self.surface)
        self.xdg_surface = c.new_id(self.on_xdg_surface)
        c.req(app.wm_base, WM_BASE_GET_XDG_SURFACE, "uo", self.xdg_surface, self.surface)
        self.toplevel = c.new_id(self.on_toplevel)
        c.req(self.xdg_surface, XDG_SURFACE_GET_TOPLEVEL, "u", self.toplevel)
        c.req(self.toplevel, TOPLEVEL_SET_TITLE, "s", "bench window %d" % idx)
        c.req(self.toplevel, TOPLEVEL_SET_APP_ID, "s", "rampart-test-client")
        deco = app.o["decoration"]
        if app.deco_mgr and deco in ("server", "client"):
            d = c.new_id(lambda op, p: None)
            c.req(app.deco_mgr, DECO_MGR_GET_TOPLEVEL_DECORATION, "uo", d, self.toplevel)
            c.req(d, DECO_SET_MODE, "u", 2 if deco == "server" else 1)
        if app.o["maximized"]:
            c.req(self.toplevel, TOPLEVEL_SET_MAXIMIZED)
        if app.o["fullscreen"]:
            c.req(self.toplevel, TOPLEVEL_SET_FULLSCREEN, "o", 0)
        c.req(self.surface, SURFACE_COMMIT)

    def on_toplevel(self, op, p):
        if op == 0:  # configure(width, height, states)
            w, h = struct.unpack_from("<ii", p, 0)
            self.pending_size = (w, h)
        elif op == 1:  # close
            self.app.stop = True

    def on_xdg_surface(self, op, p):
        if op != 0:
            return
        serial, = struct.unpack_from("<I", p, 0)
        c = self.app.c
        c.req(self.xdg_surface, XDG_SURFACE_ACK_CONFIGURE, "u", serial)
        pw, ph = self.pending_size
        honour = self.app.o["fullscreen"] or self.app.o["maximized"]
        if honour and pw > 0 and ph > 0 and (pw, ph) != (self.w, self.h):
            self.w, self.h = pw, ph
            self.drop_buffers()
        if not self.mapped:
            self.mapped = True
            self.draw(first=True)
            if self.app.o["log"]:
                self.app.emit({"event": "mapped", "window": self.idx})
        elif not self.app.is_animating(self):
            self.draw(first=False) if not self.buffers else c.req(self.surface, SURFACE_COMMIT)

    def drop_buffers(self):
        for b in self.buffers:
            self.app.c.req(b[0], 0)  # wl_buffer.destroy
        self.buffers = []
        if self.pool_map is not None:
            self.pool_map.close()
            self.pool_map = None

    def make_buffers(self):
        c, stride = self.app.c, self.w * 4
        size = stride * self.h
        fd = os.memfd_create("bench-shm", os.MFD_CLOEXEC)
        os.ftruncate(fd, size * NBUF)
        pool = c.new_id()
        c.req(self.app.shm, SHM_CREATE_POOL, "ui", pool, size * NBUF, fd=fd)  # the fd travels out of band
        self.pool_map = mmap.mmap(fd, size * NBUF)
        for k in range(NBUF):
            rec = [0, False, size * k]
            bid = c.new_id(lambda op, p, rec=rec: rec.__setitem__(1, False) if op == 0 else None)
            rec[0] = bid
            c.req(pool, POOL_CREATE_BUFFER, "uiiiiu", bid, size * k, self.w, self.h, stride, FORMAT_XRGB8888)
            self.pool_map[size * k:size * (k + 1)] = self.app.fill(self.w * self.h, 0)
            self.buffers.append(rec)
        c.req(pool, 1)  # wl_shm_pool.destroy (buffers keep the memory)
        os.close(fd)
        reg = c.new_id()
        c.req(self.app.compositor, COMPOSITOR_CREATE_REGION, "u", reg)
        c.req(reg, REGION_ADD, "iiii", 0, 0, self.w, self.h)
        c.req(self.surface, SURFACE_SET_OPAQUE, "o", reg)
        c.req(reg, REGION_DESTROY)

    def draw(self, first, n=0):
        c = self.app.c
        if not self.buffers:
            self.make_buffers()
            first = True
        free = [b for b in self.buffers if not b[1]]
        b = free[0] if free else self.buffers[n % NBUF]
        mode = self.app.o["animate"] if self.app.is_animating(self) else "none"
        if first or mode == "none":
            dmg = (0, 0, self.w, self.h)
        elif mode == "full":
            size = self.w * self.h * 4
            self.pool_map[b[2]:b[2] + size] = self.app.fill(self.w * self.h, n & 1)
            dmg = (0, 0, self.w, self.h)
        else:  # region: a 32x32 square whose colour alternates
            x, y = min(64, self.w - 32), min(64, self.h - 32)
            row = self.app.fill(32, n & 1)
            mm, stride = self.pool_map, self.w * 4
            for r in range(y, y + 32):
                o = b[2] + r * stride + x * 4
                mm[o:o + 128] = row
            dmg = (x, y, 32, 32)
        b[1] = True
        c.req(self.surface, SURFACE_ATTACH, "oii", b[0], 0, 0)
        c.req(self.surface, SURFACE_DAMAGE_BUFFER if self.app.surface_v >= 4 else SURFACE_DAMAGE, "iiii", *dmg)
        cb = c.new_id(lambda op, p: self.app.on_frame(self))
        c.req(self.surface, SURFACE_FRAME, "u", cb)
        c.req(self.surface, SURFACE_COMMIT)


class App:
    def __init__(self, o):
        self.o = o
        self.stop = False
        self.frames = 0
        self.t_first = None
        self.fills = {}
        base = o["color"]
        alt = base ^ 0x101010
        self.px = [struct.pack("<I", 0xFF000000 | base), struct.pack("<I", 0xFF000000 | alt)]
        self.c = Conn()
        self.globals = {}
        reg = self.c.new_id(self.on_global)
        self.c.handlers[1] = self.on_display
        self.c.req(1, DISPLAY_GET_REGISTRY, "u", reg)
        self.roundtrip()
        def bind(iface, maxv, handler=None):
            if iface not in self.globals:
                return 0, 0
            name, ver = self.globals[iface]
            v = min(ver, maxv)
            oid = self.c.new_id(handler)
            self.c.req(reg, REGISTRY_BIND, "usuu", name, iface, v, oid)
            return oid, v
        self.compositor, self.surface_v = bind("wl_compositor", 4)
        self.shm, _ = bind("wl_shm", 1)
        self.wm_base, _ = bind("xdg_wm_base", 1, self.on_wm_base)
        self.deco_mgr, _ = bind("zxdg_decoration_manager_v1", 1)
        if not (self.compositor and self.shm and self.wm_base):
            die("compositor lacks wl_compositor, wl_shm or xdg_wm_base")
        self.windows = [Window(self, i) for i in range(1, o["windows"] + 1)]

    def fill(self, npix, k):
        key = (npix, k)
        if key not in self.fills:
            self.fills[key] = self.px[k] * npix
        return self.fills[key]

    def is_animating(self, win):
        return self.o["animate"] != "none" and win is self.windows[-1]

    def on_display(self, op, p):
        if op == 0:
            oid, code = struct.unpack_from("<II", p, 0)
            msg, _ = get_str(p, 8)
            die("protocol error on object %d code %d: %s" % (oid, code, msg))

    def on_global(self, op, p):
        if op == 0:
            name, = struct.unpack_from("<I", p, 0)
            iface, off = get_str(p, 4)
            ver, = struct.unpack_from("<I", p, off)
            self.globals.setdefault(iface, (name, ver))

    def on_wm_base(self, op, p):
        if op == 0:
            self.c.req(self.wm_base, WM_BASE_PONG, "u", *struct.unpack_from("<I", p, 0))

    def roundtrip(self):
        done = []
        cb = self.c.new_id(lambda op, p: done.append(1))
        self.c.req(1, DISPLAY_SYNC, "u", cb)
        deadline = time.monotonic() + 30
        while not done:
            if time.monotonic() > deadline:
                die("roundtrip timed out")
            self.c.dispatch(1.0)

    def on_frame(self, win):
        now = time.monotonic()
        win.shown = True
        if not self.is_animating(win):
            return
        if self.t_first is None:
            self.t_first = now
        self.frames += 1
        o = self.o
        if (o["frames"] and self.frames >= o["frames"]) or \
           (o["duration"] and now - self.t_first >= o["duration"]) or self.stop:
            self.finish()
        win.draw(first=False, n=self.frames)

    def emit(self, obj):
        sys.stdout.write(json.dumps(obj, separators=(",", ":")) + "\n")
        sys.stdout.flush()

    def finish(self):
        if self.o["animate"] != "none":
            secs = time.monotonic() - self.t_first if self.t_first else 0.0
            self.emit({"event": "stats", "frames": self.frames, "seconds": round(secs, 4)})
        self.c.sock.close()
        sys.exit(0)

    def run(self):
        t0 = time.monotonic()
        while True:
            now = time.monotonic()
            o = self.o
            if self.stop:
                self.finish()
            if o["animate"] == "none" and o["duration"] and self.t_first is None and \
               all(getattr(w, "shown", False) for w in self.windows):
                self.t_first = now
            if o["duration"]:
                ref = self.t_first if self.t_first is not None else t0
                # animate: stop at a frame callback; this is only the safety net
                grace = 0 if o["animate"] == "none" else 10
                if now - ref >= o["duration"] + grace:
                    self.finish()
            self.c.dispatch(0.05)


def main():
    o = parse_args(sys.argv[1:])
    app = App(o)
    def on_term(*_):
        app.stop = True
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    app.run()


if __name__ == "__main__":
    main()

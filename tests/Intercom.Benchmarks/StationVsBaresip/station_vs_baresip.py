#!/usr/bin/env python3
"""Our NativeAOT door station side by side with baresip as the door station, on one machine, on loopback.

The same call is made to each station through the same Kamailio (registrar and proxy, digest auth from a db_text user
store) from the same far end: a baresip phone that auto-answers and plays a 440 Hz tone (ausine). Each station
registers as "door", the far end ("resident") calls sip:door@kamailio, the station auto-answers (ours: the resident
is on its allowlist; baresip: answermode=auto), 30 s of two-way audio flow, the far end hangs up. The direction is
resident -> door for both stations (the door-station HTTP API that presses a simulated button is not part of the app
yet); signalling and media are the same once the call is up.

Measured for each station process, from /proc only:
  start -> registered  spawn of the process to the moment Kamailio saves its binding (its own timestamp in an xlog
                       line, against the wall clock read just before the spawn)
  CPU until registered CPU time the station's threads used by then (schedstat, ns): the same start-up cost, immune to
                       other load on the machine
  peak RSS             VmHWM at the end of the call
  steady RSS           median VmRSS over the last two thirds of the call (sampled every 0.5 s)
  idle RSS             VmRSS registered and idle, before the call
  CPU s / call-minute  (utime + stime) over the established call, per minute of call
  CPU s / idle minute  registered, no call, over 3 s (schedstat), per minute
  threads              at the end of the call
  size on disk         ours: the files of the publish folder the process maps (the single AOT binary);
                       baresip: /usr/bin/baresip + libre + librem + the modules it maps (system libraries excluded
                       for both: libc, libssl/libcrypto, libopus, libasound)
Stations: "ours" (the product's defaults: echo canceller and noise suppression on, web page on where the app has one),
"ours-lean" (no echo canceller, noise suppression or web, sound devices at the codec's rate: the work the baresip door
does) and "baresip" (account, g711/opus, menu + ctrl_tcp, and aubridge as its sound card: baresip's in-process null
device, paced by its own thread; alsa,null would spin a CPU and aufile loads the whole file into memory). Our station
runs with --simulate, whose sound devices are the null driver (clock-paced) on a machine without a card.
Each figure is the median of --runs runs; stations alternate order each run. PCMU first, then Opus. Each station is
started (and registered) once before the runs, unmeasured: binaries in the page cache, first-start files written.

Usage:
  tests/Intercom.Benchmarks/StationVsBaresip/station_vs_baresip.py [--intercom PATH] [--runs 3] [--seconds 30]
Without --intercom, the app is published first (dotnet publish src/Intercom -r linux-x64 -c Release).
Needs: kamailio, baresip (Debian packages), python3; nothing else.
"""

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
CLK_TCK = os.sysconf("SC_CLK_TCK")
DOMAIN = "127.0.0.1"
USERS = {"door": "door-secret", "resident": "resident-secret"}
WAIT = 20.0


def free_port(kind=socket.SOCK_DGRAM):
    """A port free for UDP and TCP on loopback (baresip and Kamailio listen on both)."""
    while True:
        with socket.socket(socket.AF_INET, kind) as s:
            s.bind((DOMAIN, 0))
            port = s.getsockname()[1]
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as t:
                t.bind((DOMAIN, port))
            return port
        except OSError:
            continue


class Peer:
    """A process whose output lines are kept with the monotonic time they were read."""

    def __init__(self, name, argv, cwd, env=None):
        self.name = name
        self.lines = []
        self.cond = threading.Condition()
        self.started_wall = time.time()
        self.proc = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    @property
    def pid(self):
        return self.proc.pid

    def _read(self):
        for raw in self.proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            with self.cond:
                self.lines.append((time.monotonic(), line))
                self.cond.notify_all()

    def wait_line(self, pattern, timeout=WAIT, since=0.0, predicate=None):
        """Waits for an output line matching pattern read after `since`; returns (time, match)."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for at, line in self.lines:
                    if at >= since:
                        m = regex.search(line)
                        if m and (predicate is None or predicate(m)):
                            return at, m
                left = deadline - time.monotonic()
                if left <= 0 or self.proc.poll() is not None:
                    raise TimeoutError(f"{self.name}: no line /{pattern}/ within {timeout} s; last lines:\n{self.tail()}")
                self.cond.wait(min(left, 0.2))

    def tail(self, n=25):
        return "\n".join(line for _, line in self.lines[-n:])

    def stop(self, timeout=5.0):
        """SIGTERM by PID, then SIGKILL; returns the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout)
        self.reader.join(2)
        return self.proc.returncode


class Kamailio:
    """Registrar and proxy on UDP loopback; logs every saved binding so start -> registered can be timed."""

    def __init__(self, directory):
        self.dir = directory
        self.port = free_port()
        self.peer = None

    def start(self):
        db = os.path.join(self.dir, "db")
        os.makedirs(db, exist_ok=True)
        with open(os.path.join(db, "version"), "w") as f:
            f.write("table_name(str) table_version(int)\nsubscriber:7\n")
        with open(os.path.join(db, "subscriber"), "w") as f:
            f.write("id(int,auto) username(str) domain(str) password(str) ha1(str,null) ha1b(str,null)\n")
            for i, (user, password) in enumerate(USERS.items(), 1):
                f.write(f"{i}:{user}:{DOMAIN}:{password}:::\n")
        cfg = os.path.join(self.dir, "kamailio.cfg")
        with open(cfg, "w") as f:
            f.write(KAMAILIO_CFG.replace("@PORT@", str(self.port)).replace("@DB@", db))
        self.peer = Peer("kamailio", ["kamailio", "-DD", "-E", "-f", cfg, "-P", os.path.join(self.dir, "kamailio.pid"),
                                      "-Y", self.dir, "-m", "64", "-M", "8"], self.dir)
        # Ready when it answers an OPTIONS keepalive.
        deadline = time.monotonic() + WAIT
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(0.2)
            s.bind((DOMAIN, 0))
            local = s.getsockname()[1]
            while True:
                options = (f"OPTIONS sip:{DOMAIN}:{self.port} SIP/2.0\r\nVia: SIP/2.0/UDP {DOMAIN}:{local};branch=z9hG4bK-probe{time.time_ns()}\r\n"
                           f"From: <sip:probe@{DOMAIN}>;tag=p\r\nTo: <sip:{DOMAIN}>\r\nCall-ID: probe-{time.time_ns()}\r\nCSeq: 1 OPTIONS\r\n"
                           "Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n").encode()
                s.sendto(options, (DOMAIN, self.port))
                try:
                    if s.recv(4096).startswith(b"SIP/2.0 200"):
                        return
                except socket.timeout:
                    pass
                if time.monotonic() > deadline or self.peer.proc.poll() is not None:
                    raise RuntimeError(f"kamailio did not start:\n{self.peer.tail()}")

    def wait_registered(self, user, since, timeout=WAIT):
        """Wall-clock time (Kamailio's own, microseconds) it saved a binding (not a removal) for `user`, logged after `since`."""
        _, m = self.peer.wait_line(rf"REGISTER-SAVED {user} at=([\d.]+) expires=\[([^\]]*)\] contact=\[([^\]]*)\]", timeout, since,
                                   predicate=lambda m: m.group(2) != "0" and "expires=0" not in m.group(3))
        return float(m.group(1))

    def stop(self):
        if self.peer:
            self.peer.stop()


KAMAILIO_CFG = r"""#!KAMAILIO
debug=2
log_stderror=yes
children=2
auto_aliases=no
listen=udp:127.0.0.1:@PORT@

loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "xlog.so"
loadmodule "sanity.so"
loadmodule "db_text.so"
loadmodule "auth.so"
loadmodule "auth_db.so"

modparam("usrloc", "db_mode", 0)
modparam("registrar", "max_expires", 3600)
modparam("registrar", "min_expires", 60)
modparam("registrar", "gruu_enabled", 0)
modparam("auth", "nonce_expire", 300)
modparam("auth_db", "db_url", "text://@DB@")
modparam("auth_db", "calculate_ha1", yes)
modparam("auth_db", "password_column", "password")
modparam("auth_db", "use_domain", 0)
modparam("rr", "enable_full_lr", 1)

request_route {
    if (!mf_process_maxfwd_header("10")) { sl_send_reply("483", "Too Many Hops"); exit; }
    if (!sanity_check("17895", "7")) { exit; }
    if (is_method("OPTIONS") && uri==myself && $rU==$null) { sl_send_reply("200", "Keepalive"); exit; }
    if (has_totag()) {
        if (loose_route()) { route(RELAY); exit; }
        if (is_method("ACK")) { if (t_check_trans()) { route(RELAY); } exit; }
        sl_send_reply("404", "Not here");
        exit;
    }
    if (is_method("CANCEL")) { if (t_check_trans()) { route(RELAY); } exit; }
    t_check_trans();
    if (is_method("REGISTER")) {
        if (!auth_check("$fd", "subscriber", "1")) { auth_challenge("$fd", "1"); exit; }
        consume_credentials();
        if (!save("location")) { sl_reply_error(); exit; }
        xlog("L_NOTICE", "REGISTER-SAVED $fU at=$TV(Sn) expires=[$hdr(Expires)] contact=[$ct]\n");
        exit;
    }
    if (is_method("INVITE|SUBSCRIBE|UPDATE")) { record_route(); }
    if (uri==myself) {
        if (!lookup("location")) { sl_send_reply("404", "Not Found"); exit; }
    }
    route(RELAY);
}

route[RELAY] {
    if (!t_relay()) { sl_reply_error(); }
    exit;
}
"""


class Baresip:
    """A baresip process configured from a folder; ctrl_tcp (netstring JSON) when `control` is set."""

    def __init__(self, name, directory, account, modules, audio_source, audio_player, rtp_ports, control=True,
                 extra=""):
        self.name = name
        self.dir = directory
        self.account = account
        self.modules = modules
        self.audio_source = audio_source
        self.audio_player = audio_player
        self.rtp_ports = rtp_ports
        self.control = control
        self.extra = extra
        self.sip_port = free_port()
        self.control_port = free_port(socket.SOCK_STREAM) if control else None
        self.peer = None
        self.sock = None
        self.events = []
        self.responses = {}
        self.cond = threading.Condition()
        self.token = 0

    def config(self):
        lines = [
            "poll_method epoll",
            f"sip_listen {DOMAIN}:{self.sip_port}",
            "call_local_timeout 120",
            "call_max_calls 4",
            f"audio_source {self.audio_source}",
            f"audio_player {self.audio_player}",
            f"audio_alert {self.audio_player}",
            "audio_level no",
            f"rtp_ports {self.rtp_ports[0]}-{self.rtp_ports[1]}",
            "rtcp_mux no",
            "jitter_buffer_delay 1-10",
            "statmode_default off",
            "module_path /usr/lib/baresip/modules",
        ]
        for module in self.modules:
            kind = "module_tmp" if module in ("uuid", "account") else "module_app" if module in ("menu", "ctrl_tcp") else "module"
            lines.append(f"{kind} {module}.so")
        if self.control:
            lines.append(f"ctrl_tcp_listen {DOMAIN}:{self.control_port}")
        lines.append("opus_bitrate 32000")
        lines.append(self.extra)
        return "\n".join(lines) + "\n"

    def spawn(self):
        os.makedirs(self.dir, exist_ok=True)
        with open(os.path.join(self.dir, "accounts"), "w") as f:
            f.write(self.account + "\n")
        with open(os.path.join(self.dir, "contacts"), "w") as f:
            f.write("")
        with open(os.path.join(self.dir, "config"), "w") as f:
            f.write(self.config())
        self.peer = Peer(self.name, ["baresip", "-n", DOMAIN, "-f", self.dir], self.dir)
        return self.peer

    def connect(self):
        deadline = time.monotonic() + WAIT
        while True:
            try:
                self.sock = socket.create_connection((DOMAIN, self.control_port), timeout=1)
                break
            except OSError:
                if time.monotonic() > deadline or self.peer.proc.poll() is not None:
                    raise RuntimeError(f"{self.name}: ctrl_tcp not reachable:\n{self.peer.tail()}")
                time.sleep(0.05)
        self.sock.settimeout(None)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        buffer = b""
        try:
            while True:
                chunk = self.sock.recv(4096)
                if not chunk:
                    return
                buffer += chunk
                while b":" in buffer:
                    head, _, rest = buffer.partition(b":")
                    length = int(head)
                    if len(rest) < length + 1:
                        break
                    message = json.loads(rest[:length])
                    buffer = rest[length + 1:]
                    with self.cond:
                        if message.get("response"):
                            self.responses[message.get("token")] = message
                        elif message.get("event"):
                            self.events.append((time.monotonic(), message))
                        self.cond.notify_all()
        except OSError:
            return

    def command(self, command, params=None, timeout=10.0):
        with self.cond:
            self.token += 1
            token = str(self.token)
        body = {"command": command, "token": token}
        if params is not None:
            body["params"] = params
        data = json.dumps(body).encode()
        self.sock.sendall(str(len(data)).encode() + b":" + data + b",")
        deadline = time.monotonic() + timeout
        with self.cond:
            while token not in self.responses:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"{self.name}: no response to {command}")
                self.cond.wait(left)
            return self.responses.pop(token).get("data", "")

    def wait_event(self, kind, since, timeout=WAIT):
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for at, event in self.events:
                    if at >= since and event.get("type") == kind:
                        return at, event
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = ", ".join(e.get("type", "?") for _, e in self.events[-10:])
                    raise TimeoutError(f"{self.name}: no {kind} within {timeout} s (seen {seen}):\n{self.peer.tail()}")
                self.cond.wait(min(left, 0.2))

    def wait_registered(self):
        deadline = time.monotonic() + WAIT
        while "OK" not in self.command("reginfo"):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.name}: not registered:\n{self.peer.tail()}")
            time.sleep(0.1)

    def stop(self):
        if self.sock:
            try:
                self.sock.close()
            except OSError:
                pass
        if self.peer:
            return self.peer.stop()
        return None


def proc_status(pid):
    fields = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            fields[key] = value.strip()
    return fields


def kib(value):
    return int(value.split()[0])


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        text = f.read()
    # Fields after the parenthesised command name (which may contain spaces): utime is 14th, stime 15th overall.
    rest = text[text.rindex(")") + 2:].split()
    return int(rest[11]) + int(rest[12])


def cpu_ns(pid):
    """CPU time of the process's live threads in nanoseconds (schedstat: exact, unlike the 10 ms ticks of stat)."""
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/schedstat") as f:
                total += int(f.read().split()[0])
        except (FileNotFoundError, ProcessLookupError):
            pass
    return total


def mapped_files(pid):
    paths = set()
    with open(f"/proc/{pid}/maps") as f:
        for line in f:
            parts = line.split(None, 5)
            if len(parts) == 6 and parts[5].startswith("/"):
                paths.add(parts[5].strip().replace(" (deleted)", ""))
    return paths


BARESIP_OWN = re.compile(r"^(/usr/bin/baresip|/usr/lib/baresip/modules/.*\.so|.*/libre\.so[.0-9]*|.*/librem\.so[.0-9]*)$")


def size_on_disk(kind, pid, binary_dir):
    files = set()
    for path in mapped_files(pid):
        real = os.path.realpath(path)
        if kind == "ours" and real.startswith(binary_dir + os.sep):
            files.add(real)
        elif kind == "baresip" and BARESIP_OWN.match(real):
            files.add(real)
    return sum(os.path.getsize(p) for p in files), sorted(os.path.basename(p) for p in files)


class OurStation:
    """Our station. lean=False: the product's defaults (echo cancellation and noise suppression on, the web page on where
    the app has one); lean=True: the same work as the baresip door below (no echo canceller, no preprocessor, no web,
    sound devices at the codec's rate)."""

    def __init__(self, binary, directory, kamailio, codec, rtp_ports, wrap=(), lean=False):
        self.kind = "ours-lean" if lean else "ours"
        self.lean = lean
        self.binary = binary
        self.wrap = list(wrap)
        self.dir = directory
        self.kamailio = kamailio
        self.codec = codec
        self.rtp_ports = rtp_ports
        self.peer = None

    def spawn(self):
        os.makedirs(self.dir, exist_ok=True)
        domain = f"{DOMAIN}:{self.kamailio.port}"
        config = {
            "name": "Bench door",
            "sip": {"listen": [{"transport": "udp", "address": DOMAIN, "port": 0}]},
            "accounts": [{
                "id": "pbx", "aor": f"sip:door@{domain}", "password": USERS["door"], "outboundProxy": f"sip:{domain}",
                "register": True, "expiresSeconds": 600,
            }],
            "media": {"rtpPortMin": self.rtp_ports[0], "rtpPortMax": self.rtp_ports[1], "codecs": [self.codec], "ptimeMs": 20},
            "station": {
                "ringGroups": [{"id": "residents", "targets": [f"sip:resident@{domain}"]}],
                "incoming": {"allowlist": [f"sip:resident@{domain}"], "autoAnswer": True},
                "eventLog": {"persistPath": None},
            },
        }
        if self.lean:
            # The devices at the codec's rate, as baresip's aubridge runs, so neither side resamples.
            rate = 8000 if self.codec == "pcmu" else 48000
            config["audio"] = {"echoControl": "off", "noiseSuppression": False, "sampleRate": rate}
            if supports_section(self.binary, "web"):
                config["web"] = {"enabled": False}
        path = os.path.join(self.dir, "intercom.json")
        with open(path, "w") as f:
            json.dump(config, f)
        os.chmod(path, 0o600)
        self.peer = Peer("intercom", self.wrap + [self.binary, "run", "--simulate", "--config", path], self.dir)
        return self.peer

    def size(self):
        return size_on_disk("ours", self.peer.pid, os.path.dirname(os.path.realpath(self.binary)))

    def stop(self):
        return self.peer.stop() if self.peer else None


def supports_section(binary, section):
    """True when the app's configuration has this top-level section (an unknown field is refused by its name)."""
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "probe.json")
        with open(path, "w") as f:
            json.dump({section: {}}, f)
        out = subprocess.run([binary, "check-config", path], capture_output=True, text=True)
        return f"{section}: unknown field" not in out.stdout + out.stderr


class BaresipStation:
    kind = "baresip"

    def __init__(self, directory, kamailio, codec, rtp_ports, source, player):
        codecs = {"pcmu": "PCMU", "opus": "opus/48000/2"}[codec]
        module = {"pcmu": "g711", "opus": "opus"}[codec]
        audio_modules = sorted({m.split(",")[0] for m in (source, player)})
        # What a baresip door station needs: its account, the codec, the sound card, and a control interface for the
        # button (ctrl_tcp with menu's commands). G.711 stays loaded with Opus, as it would on a real door (fallback).
        modules = ["g711"] + ([module] if module != "g711" else []) + audio_modules + ["uuid", "account", "menu", "ctrl_tcp"]
        self.bs = Baresip("baresip-door", directory,
                          f"<sip:door@{DOMAIN}:{kamailio.port}>;auth_pass={USERS['door']};answermode=auto;regint=600;"
                          f"audio_codecs={codecs}",
                          modules, source, player, rtp_ports)

    @property
    def peer(self):
        return self.bs.peer

    def spawn(self):
        return self.bs.spawn()

    def size(self):
        return size_on_disk("baresip", self.bs.peer.pid, "")

    def stop(self):
        return self.bs.stop()


def measure(station, kamailio, far_end, seconds, log):
    spawned = time.monotonic()
    peer = station.spawn()
    registered_at = kamailio.wait_registered("door", spawned)
    # Both ends on CLOCK_REALTIME: the instant before fork/exec and Kamailio's timestamp of the save, no pipe delays.
    result = {"start_to_registered_ms": (registered_at - peer.started_wall) * 1000,
              "cpu_to_registered_ms": cpu_ns(peer.pid) / 1e6}
    time.sleep(0.5)
    idle0, idle_cpu0 = time.monotonic(), cpu_ns(peer.pid)
    time.sleep(3.0)
    result["idle_cpu_s_per_min"] = (cpu_ns(peer.pid) - idle_cpu0) / 1e9 / ((time.monotonic() - idle0) / 60)
    status = proc_status(peer.pid)
    result["idle_rss_kib"] = kib(status["VmRSS"])
    since = time.monotonic()
    far_end.command("dial", f"sip:door@{DOMAIN}:{kamailio.port}")
    established, _ = far_end.wait_event("CALL_ESTABLISHED", since)
    t0, cpu0 = time.monotonic(), cpu_ticks(peer.pid)
    samples = []
    while time.monotonic() - t0 < seconds:
        time.sleep(0.5)
        samples.append((time.monotonic() - t0, kib(proc_status(peer.pid)["VmRSS"])))
    t1, cpu1 = time.monotonic(), cpu_ticks(peer.pid)
    status = proc_status(peer.pid)
    result["peak_rss_kib"] = kib(status["VmHWM"])
    result["steady_rss_kib"] = statistics.median(rss for at, rss in samples if at >= seconds / 3)
    result["cpu_s_per_call_min"] = (cpu1 - cpu0) / CLK_TCK / ((t1 - t0) / 60)
    result["threads"] = int(status["Threads"])
    result["size_bytes"], result["size_files"] = station.size()
    result["far_end_stats"] = far_end.command("callstat") if log else ""
    since = time.monotonic()
    far_end.command("hangup")
    far_end.wait_event("CALL_CLOSED", since)
    result["exit_code"] = station.stop()
    return result


def publish(output):
    print(f"publishing the app (NativeAOT, linux-x64) to {output} ...", file=sys.stderr)
    subprocess.run(["dotnet", "publish", os.path.join(REPO, "src", "Intercom"), "-r", "linux-x64", "-c", "Release", "-o", output],
                   check=True, stdout=subprocess.DEVNULL)
    return os.path.join(output, "intercom")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--intercom", help="the published AOT binary (default: publish it first)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--codecs", default="pcmu,opus")
    parser.add_argument("--stations", default="ours,ours-lean,baresip",
                        help="ours (the product's defaults), ours-lean (no echo canceller, noise suppression, web: what "
                             "the baresip door does), baresip")
    parser.add_argument("--baresip-source", default="aubridge,door",
                        help="baresip door microphone (default: aubridge, its timer-paced in-process null device, fed back "
                             "what it plays; 'aufile' = a silent WAV, loaded whole into memory; alsa,null spins a CPU)")
    parser.add_argument("--baresip-player", default="aubridge,door", help="baresip door loudspeaker (default aubridge,door)")
    parser.add_argument("--json", help="also write the raw results here")
    parser.add_argument("--wrap", default="", help="profiling only: a command our station runs under (e.g. 'strace -f -tt -o F'); "
                                                   "its figures are then the wrapper's")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()

    for tool in ("kamailio", "baresip"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is not installed: apt-get install {tool}")

    work = tempfile.mkdtemp(prefix="station-vs-baresip-")
    binary = os.path.abspath(args.intercom) if args.intercom else publish(os.path.join(work, "publish"))
    kamailio = Kamailio(os.path.join(work, "kamailio"))
    results = {}
    try:
        kamailio.start()
        for codec in args.codecs.split(","):
            far = Baresip("resident", os.path.join(work, f"resident-{codec}"),
                          f"<sip:resident@{DOMAIN}:{kamailio.port}>;auth_pass={USERS['resident']};answermode=auto;regint=600;"
                          f"audio_codecs={ {'pcmu': 'PCMU', 'opus': 'opus/48000/2'}[codec] }",
                          ["g711", "opus", "alsa", "ausine", "uuid", "account", "menu", "ctrl_tcp"],
                          "ausine,440", "alsa,null", (20000, 20099),
                          extra="ausrc_srate 48000\nausrc_channels 2\nauplay_srate 48000\nauplay_channels 1")
            far.spawn()
            far.connect()
            far.wait_registered()
            source = args.baresip_source
            if source == "aufile":
                source = f"aufile,{silence_wav(work, codec, args.seconds + 10)}"
            try:
                def make(kind):
                    # One folder per station and codec for all runs: what a first start writes (our last-good copy of
                    # the configuration, baresip's uuid file) is there from the warm-up on, as on an installed device.
                    ports = {"ours": (30000, 30099), "ours-lean": (30200, 30299)}.get(kind, (30100, 30199))
                    directory = os.path.join(work, f"{kind}-{codec}")
                    return (OurStation(binary, directory, kamailio, codec, ports, args.wrap.split(), lean=kind == "ours-lean")
                            if kind.startswith("ours")
                            else BaresipStation(directory, kamailio, codec, ports, source, args.baresip_player))

                for kind in args.stations.split(","):
                    warm = make(kind)
                    spawned = time.monotonic()
                    warm.spawn()
                    kamailio.wait_registered("door", spawned)
                    warm.stop()
                for run in range(args.runs):
                    order = args.stations.split(",")
                    if run % 2:
                        order.reverse()
                    for kind in order:
                        station = make(kind)
                        try:
                            r = measure(station, kamailio, far, args.seconds, args.verbose)
                        except (TimeoutError, RuntimeError) as e:
                            station.stop()
                            print(f"{kind} {codec} run {run + 1}: failed: {e}", file=sys.stderr)
                            r = {"failed": str(e).splitlines()[0]}
                        results.setdefault(codec, {}).setdefault(kind, []).append(r)
                        if args.verbose:
                            print(f"{kind} {codec} run {run + 1}: {json.dumps(r)}", file=sys.stderr)
                        if args.verbose and station.peer is not None:
                            print(station.peer.tail(15), file=sys.stderr)
            finally:
                far.stop()
    finally:
        kamailio.stop()
        if args.json:
            with open(args.json, "w") as f:
                json.dump({"machine": machine(), "results": results}, f, indent=1)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"work folder kept: {work}", file=sys.stderr)
    print_table(results, args)


def silence_wav(work, codec, seconds):
    """A WAV of near-silence as the baresip door's microphone (aufile), at the codec's rate so nothing resamples."""
    rate = 8000 if codec == "pcmu" else 48000
    path = os.path.join(work, f"mic-{rate}.wav")
    if not os.path.exists(path):
        import wave
        with wave.open(path, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(rate)
            w.writeframes(b"\x01\x00" * rate * int(seconds))
    return path


METRICS = [
    ("start -> registered (ms)", "start_to_registered_ms", "{:.0f}"),
    ("CPU until registered (ms)", "cpu_to_registered_ms", "{:.1f}"),
    ("peak RSS, VmHWM (MiB)", "peak_rss_kib", "{:.1f}"),
    ("steady RSS in call (MiB)", "steady_rss_kib", "{:.1f}"),
    ("idle RSS, registered (MiB)", "idle_rss_kib", "{:.1f}"),
    ("CPU s per call-minute", "cpu_s_per_call_min", "{:.3f}"),
    ("CPU s per idle minute", "idle_cpu_s_per_min", "{:.3f}"),
    ("threads", "threads", "{:.0f}"),
    ("size on disk (MiB)", "size_bytes", "{:.2f}"),
]


def median_of(runs, key):
    values = [r[key] for r in runs if key in r]
    if not values:
        return None
    value = statistics.median(values)
    if key.endswith("_kib"):
        value /= 1024
    if key == "size_bytes":
        value /= 1024 * 1024
    return value


def print_table(results, args):
    m = machine()
    print(f"\nStation vs baresip: {args.runs} run(s) each, {args.seconds:.0f} s calls, medians; {m['date']}; "
          f"{m['nproc']} CPUs ({m['cpu']}), kernel {m['kernel']}")
    for codec, by_kind in results.items():
        kinds = [k for k in args.stations.split(",") if k in by_kind]
        ours = [k for k in kinds if k != "baresip"]
        theirs = by_kind.get("baresip", [])
        done = ", ".join(f"{k} {sum('failed' not in r for r in by_kind[k])}/{len(by_kind[k])}" for k in kinds)
        print(f"\n{codec.upper()} (runs completed: {done})")
        header = [f"{'metric':<28}"] + [f"{k:>9}" for k in kinds] + [f"{k + '/baresip':>17}" for k in ours if theirs]
        print("| " + " | ".join(header) + " |")
        print("|" + "|".join("-" * (len(h) + 2) for h in header) + "|")
        for label, key, fmt in METRICS:
            values = {k: median_of(by_kind[k], key) for k in kinds}
            b = values.get("baresip")
            cells = [f"{label:<28}"] + [f"{fmt.format(values[k]) if values[k] is not None else 'n/a':>9}" for k in kinds]
            if theirs:
                cells += [f"{(f'{values[k] / b:.2f}' if values[k] is not None and b else 'n/a'):>17}" for k in ours]
            print("| " + " | ".join(cells) + " |")
        for kind in kinds:
            runs = by_kind[kind]
            for r in runs:
                if "failed" in r:
                    print(f"  {kind}: failed run: {r['failed']}")
            files = next((r["size_files"] for r in runs if "size_files" in r), None)
            if files:
                print(f"  {kind} files counted for size: {', '.join(files)}")


def machine():
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "nproc": os.cpu_count(), "cpu": cpu,
            "kernel": os.uname().release}


if __name__ == "__main__":
    main()

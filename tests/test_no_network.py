"""Nothing leaves the machine: extract, analyze and live run under strace, which records
every network system call of every thread and child; none may open an internet socket or
ask the name service (a DNS lookup goes through one of the two)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest

from conftest import cut_video, rendered_clip

pytestmark = [
    pytest.mark.skipif(shutil.which("strace") is None,
                       reason="strace is not installed (.ci/run installs it)"),
    pytest.mark.skipif(shutil.which("Xvfb") is None,
                       reason="Xvfb is not installed (.ci/run installs it)"),
]

#: An internet socket (TCP, UDP: a DNS query or an upload) or a netlink one (getaddrinfo
#: asks the kernel for the machine's addresses before a lookup). A local Unix socket (the
#: X server, the name-service cache asked for the user's name) is not the network: with no
#: cache daemon, as here, a host lookup goes on to an internet socket, which is caught.
_NETWORK_CALL = re.compile(r"AF_INET6?\b|AF_NETLINK")


def network_calls(trace_file) -> list[str]:
    lines = trace_file.read_text(errors="replace").splitlines()
    return [line for line in lines if _NETWORK_CALL.search(line)]


def run_traced(tmp_path, *args: str, env: dict | None = None) -> list[str]:
    trace = tmp_path / "strace.log"
    proc = subprocess.run(["strace", "-f", "-qq", "-e", "trace=network", "-o", str(trace),
                           sys.executable, "-m", "formcheck", *args],
                          capture_output=True, text=True, timeout=600,
                          env={**os.environ, **(env or {})})
    assert proc.returncode == 0, proc.stderr
    return network_calls(trace)


def test_the_tracer_sees_a_lookup(tmp_path):
    """The check itself: a Python one-liner that resolves a name is caught."""
    trace = tmp_path / "strace.log"
    subprocess.run(["strace", "-f", "-qq", "-e", "trace=network", "-o", str(trace),
                    sys.executable, "-c",
                    "import socket\ntry: socket.getaddrinfo('example.org', 443)\n"
                    "except OSError: pass"], capture_output=True, timeout=60)
    assert network_calls(trace), trace.read_text()


def test_extract_analyze_and_live_make_no_network_call(tmp_path, display):
    # the first 6 s of a clip: the start-up, the model and the files are what could reach
    # the network, not the clip's length
    video = cut_video(rendered_clip("quadruped_ext_clean")[0], tmp_path / "clip.mp4", 0, 180)
    rec = tmp_path / "clip.landmarks.jsonl"
    assert run_traced(tmp_path, "extract", str(video), "-o", str(rec)) == []
    assert run_traced(tmp_path, "analyze", str(video), "-e", "quadruped_hip_extension",
                      "-o", str(tmp_path / "a"), "--no-history") == []
    assert run_traced(tmp_path, "live", "-e", "quadruped_hip_extension", "--source", str(video),
                      "-o", str(tmp_path / "live"), "--no-voice", "--summary-s", "0.2",
                      "--no-history", env={"DISPLAY": display}) == []

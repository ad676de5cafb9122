"""Hosts for a multi-host test, made of Linux network namespaces on this machine.

Each host is a namespace with its own loopback and one veth into a bridge in the root
namespace; the bridge's address is the "services host" (PostgreSQL through PgBouncer, Redis,
the object store), reached by every other host over the bridge like a machine on a LAN.
Processes are started inside a host with ``ip netns exec``; killing a host kills every process
in its namespace and pulls its cable.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

SUBNET = "10.77.{net}.{host}"


def _ip(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["ip", *args], capture_output=True, text=True, check=check, timeout=30)


def cannot_make_namespaces() -> str | None:
    """Why namespaces cannot be made here, or None when they can."""
    if shutil.which("ip") is None:
        return "no `ip` command (iproute2)"
    if os.geteuid() != 0:
        return "network namespaces need root"
    probe = f"yk-probe-{uuid.uuid4().hex[:6]}"
    made = _ip("netns", "add", probe, check=False)
    if made.returncode != 0:
        return f"`ip netns add` failed: {made.stderr.strip()}"
    _ip("netns", "del", probe, check=False)
    return None


@dataclass
class Host:
    name: str
    address: str
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    logs: list[IO[bytes]] = field(default_factory=list)

    def run(
        self, argv: list[str], env: dict[str, str], log: Path, cwd: str | None = None
    ) -> subprocess.Popen[bytes]:
        handle = log.open("wb")
        self.logs.append(handle)
        process = subprocess.Popen(
            ["ip", "netns", "exec", self.name, *argv],
            env=env,
            cwd=cwd,
            stdout=handle,
            stderr=handle,
        )
        self.processes.append(process)
        return process

    def pids(self) -> list[int]:
        listed = _ip("netns", "pids", self.name, check=False).stdout.split()
        return [int(p) for p in listed]

    def kill(self) -> None:
        """The machine dies: every process in it at once (SIGKILL), then its cable."""
        for pid in self.pids():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        for process in self.processes:
            process.wait(timeout=10)
        _ip("link", "del", f"{self.name}-h", check=False)

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + 10
        for process in self.processes:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
        for pid in self.pids():  # anything its processes left behind (pool children)
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        for handle in self.logs:
            handle.close()


class Network:
    """A bridge and hosts on it; ``close()`` removes every namespace, link and process."""

    def __init__(self, tag: str, net: int = 77) -> None:
        self.tag = tag
        self.net = net
        self.bridge = f"yk{tag}br"
        self.gateway = SUBNET.format(net=net, host=1)
        self.hosts: list[Host] = []
        _ip("link", "add", self.bridge, "type", "bridge")
        _ip("addr", "add", f"{self.gateway}/24", "dev", self.bridge)
        _ip("link", "set", self.bridge, "up")

    def add_host(self, short: str) -> Host:
        number = 10 + len(self.hosts)
        name = f"yk{self.tag}{short}"
        address = SUBNET.format(net=self.net, host=number)
        _ip("netns", "add", name)
        _ip("link", "add", f"{name}-h", "type", "veth", "peer", "name", f"{name}-n")
        _ip("link", "set", f"{name}-h", "master", self.bridge)
        _ip("link", "set", f"{name}-h", "up")
        _ip("link", "set", f"{name}-n", "netns", name)
        for args in (
            ("link", "set", "lo", "up"),
            ("addr", "add", f"{address}/24", "dev", f"{name}-n"),
            ("link", "set", f"{name}-n", "up"),
            ("route", "add", "default", "via", self.gateway),
        ):
            _ip("-n", name, *args)
        host = Host(name, address)
        self.hosts.append(host)
        return host

    def close(self) -> None:
        for host in self.hosts:
            host.stop()
            _ip("link", "del", f"{host.name}-h", check=False)
            _ip("netns", "del", host.name, check=False)
        _ip("link", "del", self.bridge, check=False)


def wait_port(address: str, port: int, timeout: float = 60.0, process: Any = None) -> None:
    import socket

    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection((address, port), timeout=1).close()
            return
        except OSError:
            if process is not None and process.poll() is not None:
                raise RuntimeError(f"the process behind {address}:{port} exited") from None
            if time.monotonic() > deadline:
                raise RuntimeError(f"nothing answers on {address}:{port}") from None
            time.sleep(0.2)

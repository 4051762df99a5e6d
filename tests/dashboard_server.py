"""`streamlit run dashboard.py` as the browser tests need it: on a free local port, one corpus, the environment the
test gives (its own cache and corrections database), waiting for the health check and stopped cleanly."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.request import urlopen

import pytest

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class DashboardServer:
    """One dashboard process on 127.0.0.1; `start` again after `stop` restarts it on the same corpus (new port)."""

    def __init__(self, corpus: str | Path, log: Path, env: dict[str, str] | None = None,
                 timeout: float = 90.0) -> None:
        self.corpus, self.log, self.env, self.timeout = Path(corpus), log, env, timeout
        self.proc: subprocess.Popen | None = None
        self.url = ""

    def start(self) -> str:
        port = free_port()
        cmd = [str(Path(sys.executable).with_name("streamlit")), "run", "dashboard.py", "--server.port", str(port),
               "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
               "--", "--corpus", str(self.corpus)]
        with open(self.log, "a") as out:
            self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=self.env)
        self.url = f"http://127.0.0.1:{port}/"
        deadline = time.time() + self.timeout
        while True:
            try:
                with urlopen(self.url + "_stcore/health", timeout=2) as resp:
                    if resp.status == 200:
                        return self.url
            except OSError:
                pass
            if self.proc.poll() is not None or time.time() > deadline:
                self.stop()
                pytest.fail(f"streamlit did not start:\n{self.log.read_text()}")
            time.sleep(0.3)

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc = None

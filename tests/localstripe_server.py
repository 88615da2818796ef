"""localstripe (a fake but stateful Stripe API server) for the tests.

`python -m tests.localstripe_server --port N` runs it. localstripe saves its whole store to one
fixed file (/tmp/localstripe.pickle) after every write; several test runs on one machine would
overwrite each other's, so this wrapper keeps the store in memory and always starts from scratch.

`LocalStripe.start()` launches it on a free port of 5100-5199 and waits until it answers; the
official SDK is pointed at `.url`, and `.register_webhook` tells it where to send signed events.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

PORTS = range(5100, 5200)
ROOT = Path(__file__).resolve().parents[1]
PUBLISHABLE_KEY = "pk_test_ceportal"
SECRET_KEY = "sk_test_ceportal"


def main() -> None:
    from localstripe import resources, server

    resources.Store.dump_to_disk = lambda self: None
    resources.Store.try_load_from_disk = lambda self: None
    if "--from-scratch" not in sys.argv:
        sys.argv.append("--from-scratch")
    server.start()


def _free(port: int) -> bool:
    with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
        try:
            s.bind(("::", port))
        except OSError:
            return False
    return True


class LocalStripe:
    def __init__(self, proc: subprocess.Popen, port: int):
        self.proc, self.port = proc, port
        self.url = f"http://127.0.0.1:{port}"
        self.js_url = f"{self.url}/js.stripe.com/v3/"

    @classmethod
    def start(cls) -> "LocalStripe":
        worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
        offset = int("".join(ch for ch in worker if ch.isdigit()) or 0) * 17
        ports = list(PORTS[offset % len(PORTS):]) + list(PORTS[:offset % len(PORTS)])
        for port in ports:
            if not _free(port):
                continue
            proc = subprocess.Popen([sys.executable, "-m", "tests.localstripe_server", "--port", str(port)],
                                    cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            me = cls(proc, port)
            if me._wait():
                return me
            me.stop()
        raise RuntimeError("could not start localstripe on any port in 5100-5199")

    def _wait(self, seconds: float = 20) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                with urllib.request.urlopen(self.js_url, timeout=1) as r:
                    if r.status == 200:
                        return True
            except OSError:
                time.sleep(0.1)
        return False

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()

    def _post(self, path: str, body: bytes, content_type: str, method: str = "POST") -> bytes:
        req = urllib.request.Request(self.url + path, data=body, method=method,
                                     headers={"Content-Type": content_type})
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.read()

    def register_webhook(self, name: str, url: str, secret: str) -> None:
        import json

        self._post(f"/_config/webhooks/{name}", json.dumps({"url": url, "secret": secret}).encode(),
                   "application/json")

    def flush(self) -> None:
        self._post("/_config/data", b"", "application/json", method="DELETE")

    def card(self, number: str) -> str:
        """What Stripe.js does in the browser: card details to the provider, a card id back."""
        import json
        from urllib.parse import urlencode

        body = urlencode({"card[number]": number, "card[exp_month]": "12", "card[exp_year]": "2030",
                          "card[cvc]": "123", "key": PUBLISHABLE_KEY}).encode()
        return json.loads(self._post("/v1/tokens", body, "application/x-www-form-urlencoded"))["card"]["id"]

    def authenticate(self, intent_id: str, client_secret: str, success: bool = True) -> dict:
        """What the Stripe.js stand-in does when the learner completes 3-D Secure."""
        import json

        body = json.dumps({"key": PUBLISHABLE_KEY, "client_secret": client_secret}).encode()
        return json.loads(self._post(f"/v1/payment_intents/{intent_id}/_authenticate?success={str(success).lower()}",
                                     body, "application/json"))


if __name__ == "__main__":
    main()

"""Fill deploy/nginx/ceportal.conf.template from an env file (KEY=value lines) or the environment.

    python deploy/render_nginx.py deploy/ceportal.env > /etc/nginx/sites-available/ceportal

Only ${NAME} placeholders are filled; nginx's own $variables are left alone. A placeholder with no
value is an error, so a half-filled file never reaches nginx.
"""
from __future__ import annotations

import os
import re
import sys
from pathlib import Path

TEMPLATE = Path(__file__).with_name("nginx") / "ceportal.conf.template"
NAMES = ("SERVER_NAME", "CATALOGUE_NAME", "TLS_CERT", "TLS_KEY", "HTTP_PORT", "HTTPS_PORT",
         "APP_ADDRESS", "SITE_ROOT", "BUSY_ROOT")


def read_env(path: str | None) -> dict[str, str]:
    values = dict(os.environ)
    if path:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.lstrip().startswith("#") and "=" in line:
                k, v = line.split("=", 1)
                values[k.strip()] = v.strip().strip('"')
    return values


def render(values: dict[str, str]) -> str:
    text = TEMPLATE.read_text(encoding="utf-8")
    missing = sorted({n for n in re.findall(r"\$\{(\w+)\}", text) if not values.get(f"NGINX_{n}")})
    if missing:
        raise SystemExit("render_nginx: no value for " + ", ".join(f"NGINX_{n}" for n in missing))
    return re.sub(r"\$\{(\w+)\}", lambda m: values[f"NGINX_{m.group(1)}"], text)


if __name__ == "__main__":
    sys.stdout.write(render(read_env(sys.argv[1] if len(sys.argv) > 1 else None)))

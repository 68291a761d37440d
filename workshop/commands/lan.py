"""Serve a workshop to the phones in the room from the facilitator's laptop: `make serve-lan`.

`make run` listens on 127.0.0.1, which only the laptop itself can reach. This starts the
production server (gunicorn with gunicorn.conf.py) on every interface of the laptop and
sets SAMSKABT_PUBLIC_URL to the laptop's address on the local network, so the join link
and the QR code carry an address a phone on the same Wi-Fi can open.

Plain HTTP on the local network: for trying the tool on a network you trust. Real
workshops run behind HTTPS (docs/deploying.md). Imports nothing of ours: it only sets
the environment and hands over to gunicorn.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import socket
import sys
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PORT = 8000
# TEST-NET-1 (RFC 5737): never routed. Connecting a UDP socket sends nothing; it only asks
# the operating system which of the laptop's addresses would carry the traffic.
_PROBE = ("192.0.2.1", 9)


def lan_address() -> str | None:
    """The laptop's IPv4 address on the network its default route uses; None offline."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(_PROBE)
        except OSError:
            return None
        address = probe.getsockname()[0]
    return address if reachable_by_others(address) else None


def reachable_by_others(address: str) -> bool:
    """Could another device reach this address? Not loopback, not 0.0.0.0."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return bool(address) and address != "localhost"  # a host name: trust the person
    return not (ip.is_loopback or ip.is_unspecified)


def public_url(address: str, port: int) -> str:
    """http://192.168.1.23:8000 (an IPv6 address in brackets)."""
    try:
        host = f"[{address}]" if ipaddress.ip_address(address).version == 6 else address
    except ValueError:
        host = address
    return f"http://{host}:{port}"


def serve_environment(url: str, port: int, environ: Mapping[str, str]) -> dict[str, str]:
    """The environment gunicorn and the app start with."""
    env = dict(environ)
    env["BIND"] = f"0.0.0.0:{port}"  # every interface: the phones come in over the Wi-Fi
    env["SAMSKABT_PUBLIC_URL"] = url
    # Plain HTTP: cookies marked Secure would never come back, and nobody could log in.
    env["SECURE_COOKIES"] = "0"
    # No proxy in front: nobody's X-Forwarded-* headers are to be believed.
    env["TRUSTED_PROXIES"] = "0"
    env.pop("FORWARDED_ALLOW_IPS", None)
    return env


def banner(url: str) -> str:
    return "\n".join(
        [
            "",
            "Samskabt for the phones in this room (plain HTTP, local network only)",
            f"  Phones on the same Wi-Fi:  {url}/   (type the code, or scan the QR code)",
            f"  Facilitator login:         {url}/login",
            "  The join link and the QR code on the control panel and the projector carry",
            "  this address. Anyone on this network can reach it: use a network you trust,",
            "  and stop the server (Ctrl+C) when the workshop is over.",
            "",
        ]
    )


def main(argv: list[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    environ = os.environ if environ is None else environ
    parser = argparse.ArgumentParser(prog="python -m workshop.commands.lan", description=__doc__)
    parser.add_argument("--port", type=int, default=int(environ.get("PORT") or DEFAULT_PORT))
    parser.add_argument(
        "--address", help="the laptop's address phones use (default: found by itself)"
    )
    parser.add_argument("--print-url", action="store_true", help="print the public URL and stop")
    args = parser.parse_args(argv)
    if not 0 < args.port < 65536:
        parser.error(f"--port must be between 1 and 65535, not {args.port}")
    address = args.address or lan_address()
    if not address or not reachable_by_others(address):
        print(
            "No network address for the phones to reach: is the laptop on the Wi-Fi? "
            "Give the address with --address (e.g. --address 192.168.1.23).",
            file=sys.stderr,
        )
        return 2
    url = public_url(address, args.port)
    if args.print_url:
        print(url)
        return 0
    print(banner(url), flush=True)
    gunicorn = Path(sys.executable).with_name("gunicorn")
    command = [str(gunicorn), "--chdir", str(ROOT), "-c", str(ROOT / "gunicorn.conf.py")]
    env = serve_environment(url, args.port, environ)
    # Our own venv's gunicorn with fixed arguments; exec, so Ctrl+C and signals reach it.
    os.execve(str(gunicorn), [*command, "app:create_app()"], env)  # noqa: S606
    return 0  # not reached: gunicorn has taken over the process


if __name__ == "__main__":
    sys.exit(main())

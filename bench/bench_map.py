"""First load of the public map under emulated slow 3G, for 371 and for 100,000 systems.

For each size it prints the bytes transferred (compressed, as on the wire) on the first load,
until the network is quiet, and the time from navigation to the first coloured marker, under
Chromium's network emulation (400 ms round trip, 400 kbit/s = 50,000 bytes/s each way). Beside
them, the same figures for a plain Folium map of the same systems: ``folium.Map`` with one
``Marker`` per system in a ``MarkerCluster``, saved to HTML and served gzip-compressed by a local
server; its CDN assets (Leaflet, jQuery, Bootstrap, markercluster, awesome-markers,
Font Awesome) are rewritten to local copies installed from npm into ``var/bench-assets`` so the
comparison is fair offline. Two tiny CSS files Folium takes from sites that are not package
registries (Bootstrap 3 glyphicons, folium's awesome-rotate) are answered 404 and not counted.

The service worker is blocked during measurement (it registers after the first view anyway);
the bytes it then precaches in the background are printed separately.

Usage: .venv/bin/python -m bench.bench_map [--sizes 371,100000] [--timeout 120]
       [--database-prefix yaku_bench]
"""

from __future__ import annotations

import argparse
import gzip
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import folium
import httpx
from folium.plugins import MarkerCluster
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from bench.datasets import prepare_database
from geodata.models import WaterSystem

REPO = Path(__file__).resolve().parent.parent
WORK = REPO / "var" / "bench-map"
ASSETS = REPO / "var" / "bench-assets"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
LATENCY_MS = 400
THROUGHPUT = 50_000  # bytes per second: 400 kbit/s
VIEWPORT = {"width": 360, "height": 740}
NPM_PACKAGES = [
    "leaflet@1.9.3",
    "jquery@3.7.1",
    "bootstrap@5.2.2",
    "leaflet.markercluster@1.1.0",
    "@fortawesome/fontawesome-free@6.2.0",
    "leaflet.awesome-markers@2.0.5",
]
# Folium's CDN URL prefix -> local path under var/bench-assets/node_modules
CDN_TO_LOCAL = {
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/": "leaflet/dist/",
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery/dist/jquery.min.js",
    "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/": "bootstrap/dist/",
    "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/": (
        "leaflet.awesome-markers/dist/"
    ),
    "https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@6.2.0/": (
        "@fortawesome/fontawesome-free/"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/": (
        "leaflet.markercluster/dist/"
    ),
}
NOT_ON_A_REGISTRY = [
    "https://netdna.bootstrapcdn.com/bootstrap/3.0.0/css/bootstrap-glyphicons.css",
    "https://cdn.jsdelivr.net/gh/python-visualization/folium/folium/templates/"
    "leaflet.awesome.rotate.min.css",
]
FIRST_MARKER_SCRIPT = """
(() => {
  window.__firstMarker = null;
  const selector = '.yaku-cluster, .yaku-pt, .marker-cluster, .leaflet-marker-icon';
  const check = () => {
    if (window.__firstMarker === null && document.querySelector(selector)) {
      window.__firstMarker = performance.now();
    }
  };
  new MutationObserver(check).observe(document, {childList: true, subtree: true});
})();
"""


@dataclass
class Load:
    bytes: int
    requests: int
    first_marker_ms: float | None
    outside: list[str]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_http(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=5)
            return
        except httpx.HTTPError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer")


def measure(browser: Any, url: str, origin: str, timeout_s: float) -> Load:
    """Load ``url`` in a fresh context under slow 3G; count wire bytes until the network rests."""
    context = browser.new_context(viewport=VIEWPORT, service_workers="block")
    page = context.new_page()
    page.add_init_script(FIRST_MARKER_SCRIPT)
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": LATENCY_MS,
            "downloadThroughput": THROUGHPUT,
            "uploadThroughput": THROUGHPUT,
            "connectionType": "cellular3g",
        },
    )
    finished: dict[str, float] = {}
    partial: dict[str, float] = {}  # bytes of responses still arriving when we stop
    urls: dict[str, str] = {}

    def on_request(event: dict[str, Any]) -> None:
        urls[event["requestId"]] = event["request"]["url"]

    def on_data(event: dict[str, Any]) -> None:
        rid = event["requestId"]
        partial[rid] = partial.get(rid, 0) + event.get("encodedDataLength", 0)

    def on_finished(event: dict[str, Any]) -> None:
        finished[event["requestId"]] = event["encodedDataLength"]

    cdp.on("Network.requestWillBeSent", on_request)
    cdp.on("Network.dataReceived", on_data)
    cdp.on("Network.loadingFinished", on_finished)
    first: float | None = None
    try:
        page.goto(url, wait_until="commit", timeout=timeout_s * 1000)
        page.wait_for_function(
            "window.__firstMarker !== null", timeout=timeout_s * 1000, polling=50
        )
        first = page.evaluate("window.__firstMarker")
        page.wait_for_load_state("networkidle", timeout=timeout_s * 1000)
    except Exception as exc:  # a plain map of 100,000 markers may not finish in time
        print(f"    (stopped: {type(exc).__name__} after {timeout_s:.0f} s)", file=sys.stderr)
    total = int(
        sum(finished.values()) + sum(n for rid, n in partial.items() if rid not in finished)
    )
    outside = sorted({u for u in urls.values() if not u.startswith((origin, "data:", "blob:"))})
    context.close()
    return Load(total, len(urls), first, outside)


def systems(url: str) -> list[tuple[str, str, float, float]]:
    engine = create_engine(url)
    with Session(engine) as session:
        rows = session.execute(
            select(
                WaterSystem.code,
                WaterSystem.name,
                func.ST_Y(WaterSystem.geom),
                func.ST_X(WaterSystem.geom),
            ).order_by(WaterSystem.id)
        ).all()
    engine.dispose()
    return [(c, n, y, x) for c, n, y, x in rows]


def plain_folium_html(rows: list[tuple[str, str, float, float]]) -> str:
    """The naive approach: every system embedded as a marker, clustered in the browser."""
    fmap = folium.Map(location=[-7.9, -78.3], zoom_start=7, tiles=None, maxZoom=18)
    cluster = MarkerCluster().add_to(fmap)
    for code, name, lat, lon in rows:
        folium.Marker([lat, lon], popup=f"{name} ({code})").add_to(cluster)
    html = fmap.get_root().render()
    for prefix, local in CDN_TO_LOCAL.items():
        html = html.replace(prefix, "/npm/" + local)
    for url in NOT_ON_A_REGISTRY:
        html = html.replace(url, "/not-available/" + url.rsplit("/", 1)[1])  # a quick 404
    return html


def ensure_assets() -> None:
    if (ASSETS / "node_modules" / "leaflet.markercluster").is_dir():
        return
    ASSETS.mkdir(parents=True, exist_ok=True)
    (ASSETS / "package.json").write_text('{"private": true}\n')
    subprocess.run(
        ["npm", "install", "--prefix", str(ASSETS), "--no-audit", "--no-fund", *NPM_PACKAGES],
        check=True,
    )


def serve_plain(directory: Path, port: int) -> Any:
    """gzip-compressing static server (same compression as the service) in a thread."""
    import uvicorn
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.middleware.gzip import GZipMiddleware
    from starlette.routing import Mount
    from starlette.staticfiles import StaticFiles

    app = Starlette(
        routes=[
            Mount("/npm", app=StaticFiles(directory=ASSETS / "node_modules")),
            Mount("/", app=StaticFiles(directory=directory, html=True)),
        ],
        middleware=[Middleware(GZipMiddleware, minimum_size=1000)],
    )
    server = uvicorn.Server(uvicorn.Config(app, port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    return server


def precache_bytes(base: str) -> int:
    """Bytes the service worker fetches in the background after the first view (gzip)."""
    worker = httpx.get(base + "/sw.js").text
    shell = worker.split("var SHELL = [", 1)[1].split("];", 1)[0]
    paths = [p.strip().strip('"') for p in shell.replace("\n", "").split(",") if p.strip()]
    total = len(gzip.compress(worker.encode()))
    for path in paths:
        total += len(gzip.compress(httpx.get(base + path).content))
    return total


def fmt_ms(value: float | None) -> str:
    return f"{value / 1000:6.2f} s" if value is not None else "   n/a "


def run_size(browser: Any, total: int, timeout_s: float, prefix: str = "yaku_bench") -> None:
    name = f"{prefix}_371" if total <= 371 else f"{prefix}_{total // 1000}k"
    url = prepare_database(name, total)
    print(f"\n== {total:,} systems (database {name})")
    port = free_port()
    env = {**os.environ, "YAKU_DATABASE_URL": url, "YAKU_TILE_URL": ""}
    server = subprocess.Popen(
        [
            *("timeout", "3600", sys.executable, "-m", "uvicorn", "api.main:app"),
            *("--port", str(port), "--log-level", "warning"),
        ],
        cwd=REPO,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_http(base + "/health")
        started = time.perf_counter()
        httpx.get(base + "/", timeout=120)  # the render a data change triggers, once
        cold = time.perf_counter() - started
        started = time.perf_counter()
        httpx.get(base + "/", timeout=120)
        warm = time.perf_counter() - started
        print(f"  server: map render {cold * 1000:.0f} ms (cold), {warm * 1000:.0f} ms (cached)")
        yaku = measure(browser, base + "/", base, timeout_s)
        print(
            f"  Yaku map      : {yaku.bytes / 1024:8.1f} KB in {yaku.requests:3d} requests, "
            f"first coloured marker {fmt_ms(yaku.first_marker_ms)}"
            f"{'  OUTSIDE: ' + str(yaku.outside) if yaku.outside else ''}"
        )
        print(f"    then the service worker precaches {precache_bytes(base) / 1024:.1f} KB")
    finally:
        server.terminate()
        server.wait(timeout=10)

    directory = WORK / f"plain-{total}"
    page = directory / "index.html"
    started = time.perf_counter()
    count = directory / "count"
    if page.is_file() and count.is_file() and count.read_text() == str(total):
        html = page.read_text()  # built by an earlier run from the same data
    else:
        shutil.rmtree(directory, ignore_errors=True)
        directory.mkdir(parents=True)
        html = plain_folium_html(systems(url))
        page.write_text(html)
        (directory / "count").write_text(str(total))
    build = time.perf_counter() - started
    gz = len(gzip.compress(html.encode(), compresslevel=9))
    print(
        f"  plain Folium HTML: {len(html) / 1024:.0f} KB raw, {gz / 1024:.0f} KB gzip "
        f"(built or read in {build:.1f} s)"
    )
    port = free_port()
    plain_server = serve_plain(directory, port)
    plain_base = f"http://127.0.0.1:{port}"
    try:
        wait_http(plain_base + "/")
        plain = measure(browser, plain_base + "/", plain_base, timeout_s)
        print(
            f"  plain Folium  : {plain.bytes / 1024:8.1f} KB in {plain.requests:3d} requests, "
            f"first marker          {fmt_ms(plain.first_marker_ms)}"
        )
        if plain.outside:
            print(f"    tried outside the server (not counted): {plain.outside}")
        print(f"    answered 404 (not on a package registry): {len(NOT_ON_A_REGISTRY)} small CSS")
    finally:
        plain_server.should_exit = True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="371,100000")
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument(
        "--database-prefix", default="yaku_bench", help="benchmark databases <prefix>_371, ..."
    )
    args = parser.parse_args()
    ensure_assets()
    from playwright.sync_api import sync_playwright

    print(
        f"slow 3G: {LATENCY_MS} ms round trip, {THROUGHPUT * 8 // 1000} kbit/s, "
        f"{VIEWPORT['width']}x{VIEWPORT['height']} px, fresh cache"
    )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for size in (int(s) for s in args.sizes.split(",")):
            run_size(browser, size, args.timeout, args.database_prefix)
        browser.close()


if __name__ == "__main__":
    main()

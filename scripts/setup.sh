# Yaku set-up, sourced by ./yaku.sh: installs what is missing, starts what is stopped.
# Every step checks first, so a second run on a ready machine does nothing but checks.
# shellcheck shell=bash

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
APT_UPDATED=""

log() { printf '\033[1;34m[yaku]\033[0m %s\n' "$*" >&2; }

apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ -z "$APT_UPDATED" ]; then
    log "apt-get update"
    $SUDO apt-get update -qq
    APT_UPDATED=1
  fi
  log "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
}

pg_version() {
  ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -n 1
}

ensure_postgres() {
  [ -n "$(pg_version)" ] || apt_install postgresql postgresql-contrib
  local version
  version=$(pg_version)
  apt_install "postgresql-${version}-postgis-3" postgresql-client
  if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    log "starting PostgreSQL ${version}"
    $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null \
      || $SUDO service postgresql start
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  fi
  # Local development expects the postgres role over TCP; a stock Debian cluster wants a
  # password there, so give it one and record the URL in .env (read by the settings).
  if ! psql -h 127.0.0.1 -U postgres -d postgres -tAc 'SELECT 1' >/dev/null 2>&1 \
      && ! grep -q '^YAKU_DATABASE_URL=' .env 2>/dev/null; then
    log "setting a local password for the postgres role (recorded in .env)"
    $SUDO -u postgres psql -q -c "ALTER ROLE postgres PASSWORD 'postgres'" 2>/dev/null \
      || su postgres -c "psql -q -c \"ALTER ROLE postgres PASSWORD 'postgres'\""
    echo "YAKU_DATABASE_URL=postgresql+psycopg://postgres:postgres@127.0.0.1:5432/yaku" >> .env
  fi
}

ensure_redis() {
  command -v redis-server >/dev/null || apt_install redis-server
  if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    log "starting Redis"
    $SUDO mkdir -p /var/lib/redis /var/log/redis
    $SUDO redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" \
      --appendonly no --dir /var/lib/redis --logfile /var/log/redis/yaku.log
    for _ in $(seq 1 20); do redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && break; sleep 0.5; done
  fi
}

ensure_python() {
  python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
    || { log "Python >= 3.11 is required"; return 1; }
  python3 -c 'import venv, ensurepip' 2>/dev/null || apt_install python3-venv
  [ -x .venv/bin/python ] || python3 -m venv .venv
  local stamp=.venv/.yaku-installed
  local wanted
  wanted=$(cat pyproject.toml constraints.txt | sha256sum | cut -d' ' -f1)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
    # constraints.txt pins every package to the versions the suite was run with; refresh it
    # with `.venv/bin/pip freeze --exclude-editable > constraints.txt` after a change.
    log "installing Python dependencies into .venv (pinned by constraints.txt)"
    .venv/bin/python -m pip install -q --upgrade pip
    .venv/bin/python -m pip install -q -c constraints.txt -e ".[dev]"
    echo "$wanted" > "$stamp"
  fi
}

ensure_web_assets() {
  [ -f web/package.json ] || return 0
  command -v npm >/dev/null || apt_install nodejs npm
  local stamp=web/node_modules/.yaku-installed
  local wanted
  wanted=$(cat web/package.json web/package-lock.json 2>/dev/null | sha256sum | cut -d' ' -f1)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
    log "installing map and API-docs assets (Leaflet, Swagger UI) from the npm registry"
    if [ -f web/package-lock.json ]; then
      npm ci --prefix web --ignore-scripts --no-audit --no-fund --loglevel=error
    else
      npm install --prefix web --ignore-scripts --no-audit --no-fund --loglevel=error
    fi
    echo "$wanted" > "$stamp"
  fi
}

ensure_test_tools() {
  # Headless browser for the page tests, GDAL ogr2ogr for the OGC client tests, pgbench for the
  # benchmarks (wrk, the HTTP load of the OGC benchmarks), a Compose implementation to check
  # docker-compose.yml without an engine, and PgBouncer for the connection-pooler test.
  apt_install chromium gdal-bin postgresql-contrib docker-compose pgbouncer wrk
  ensure_iso_schemas
}

# The ISO 19139 XML schemas (gmd, gco, gmx, gml...) that the catalogue tests validate records
# against. No installable package carries them for our dependency set, but pycsw's wheel ships
# a complete copy (pycsw itself cannot be installed beside OWSLib >= 0.29): only the wheel is
# fetched from PyPI, its digest checked, and nothing of it is imported.
ISO_SCHEMAS_WHEEL=pycsw-2.6.2-py2.py3-none-any.whl
ISO_SCHEMAS_SHA256=60920c1fe43fdcd7e8dcbbe89a5fc106e54b81af6d7c96f9efe9dd5bcd943f88
ensure_iso_schemas() {
  local dir=.venv/share/yaku
  [ -f "$dir/$ISO_SCHEMAS_WHEEL" ] && return 0
  log "fetching the ISO 19139 schemas ($ISO_SCHEMAS_WHEEL)"
  mkdir -p "$dir"
  .venv/bin/python -m pip download -q --no-deps --dest "$dir/tmp" pycsw==2.6.2
  echo "$ISO_SCHEMAS_SHA256  $dir/tmp/$ISO_SCHEMAS_WHEEL" | sha256sum -c --quiet -
  mv "$dir/tmp/$ISO_SCHEMAS_WHEEL" "$dir/" && rm -rf "$dir/tmp"
}

setup_runtime() {
  ensure_postgres
  ensure_redis
  ensure_python
  ensure_web_assets
}

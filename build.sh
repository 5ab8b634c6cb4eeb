#!/usr/bin/env bash
# One entry point for people and CI: setup, build, serve, test, bench.
#   ./build.sh serve [PORT]   install what is missing, build, serve the explorer
#   ./build.sh test           fmt, clippy, every Rust test, the wasm and browser tests
#   ./build.sh bench          benchmarks, written to BENCHMARKS.md
#   ./build.sh fuzz [SECONDS] libFuzzer on the target-spec and URL-fragment parsers (default 60 s each)
#   ./build.sh build          the wasm bundle in www/pkg and the native CLI
#   ./build.sh dist           dist/: `cp -r dist/. SITE/` installs the element into a Hugo site
set -euo pipefail
cd "$(dirname "$0")"

WASM_BINDGEN_VERSION=0.2.130
WASM_TARGET=wasm32-unknown-unknown
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

ensure_wasm_tools() {
  if ! rustup target list --installed | grep -qx "$WASM_TARGET"; then
    say "adding the $WASM_TARGET target"
    rustup target add "$WASM_TARGET"
  fi
  if ! command -v wasm-bindgen >/dev/null || [ "$(wasm-bindgen --version | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
    say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 3 minutes)"
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
  fi
}

ensure_chromium() {
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    say "installing Debian's chromium and chromium-driver"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
  fi
}

ensure_npm() {
  if [ ! -d node_modules/playwright-core ] || [ ! -d node_modules/binaryen ] || [ ! -d node_modules/esbuild ] \
     || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    say "installing npm packages (playwright-core, binaryen, esbuild, axe-core, typescript)"
    npm ci --no-audit --no-fund --loglevel=error
  fi
}

# bundle OUT_DIR [cargo features]: the two wasm modules and their JS glue, optimised: the
# page's (divergence_web) and the flows of q (divergence_flow_web, loaded only by a flow panel).
bundle() {
  local out=$1; shift
  rm -rf "$out"
  local crate
  for crate in divergence_web divergence_flow_web; do
    cargo build --profile wasm --target "$WASM_TARGET" -p "${crate//_/-}" "$@"
    wasm-bindgen --target web --out-dir "$out" "target/$WASM_TARGET/wasm/$crate.wasm"
    node_modules/.bin/wasm-opt -O3 --enable-simd --enable-bulk-memory --enable-nontrapping-float-to-int \
      --enable-sign-ext --enable-mutable-globals \
      "$out/${crate}_bg.wasm" -o "$out/${crate}_bg.wasm"
  done
}

build_web() {
  [ -d crates/divergence-web ] || return 0
  ensure_wasm_tools
  ensure_npm
  say "building the wasm bundle"
  bundle www/pkg
}

cmd_build() {
  build_web
  say "building the native CLI"
  cargo build --release -p divergence-cli
}

ensure_hugo() {
  if ! command -v hugo >/dev/null; then
    say "installing Debian's hugo"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hugo >/dev/null
  fi
}

# dist/static/divergence/ (the element, its CSS and typings, the wasm) and the Hugo shortcode
# dist/layouts/shortcodes/divergence.html, both stamped with the bundle's version.
cmd_dist() {
  build_web
  write_dist
}

# dist/ from the current www/ and www/pkg (built already).
write_dist() {
  say "writing dist/"
  local version
  version="$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)+$(git rev-parse --short=10 HEAD 2>/dev/null || echo unknown)"
  rm -rf dist
  mkdir -p dist/static/divergence/pkg dist/layouts/shortcodes
  ensure_npm
  # What ships is minified: the element's modules as one file (each wasm module's glue stays
  # its own module, imported at run time relative to explorer.js), its CSS, the glue.
  local esbuild=node_modules/.bin/esbuild
  "$esbuild" www/explorer.js --bundle --minify --format=esm --target=es2022 --log-level=warning \
    --outfile=dist/static/divergence/explorer.js
  "$esbuild" www/explorer.css --minify --log-level=warning --outfile=dist/static/divergence/explorer.css
  local glue
  for glue in divergence_web divergence_flow_web; do
    "$esbuild" "www/pkg/$glue.js" --minify --format=esm --target=es2022 --log-level=warning \
      --outfile="dist/static/divergence/pkg/$glue.js"
  done
  cp www/favicon.svg www/*.d.ts dist/static/divergence/
  cp www/pkg/*.wasm dist/static/divergence/pkg/
  cp www/pkg/*.d.ts dist/static/divergence/pkg/ 2>/dev/null || true
  printf '%s\n' "$version" >dist/static/divergence/VERSION
  sed "s/@VERSION@/$version/g" hugo/layouts/shortcodes/divergence.html >dist/layouts/shortcodes/divergence.html
  echo "dist/ $version: cp -r dist/. YOUR_HUGO_SITE/"
}

cmd_serve() {
  local port=${1:-8000}
  if [ ! -d crates/divergence-web ]; then
    echo "The page is coming; meanwhile: cargo run --release -p divergence-cli -- figure --preset blog-kl --out blog-kl.png"
    exit 0
  fi
  build_web
  say "serving the explorer"
  exec node tests/serve.mjs --port "$port"
}

cmd_test() {
  say "cargo fmt --check"
  cargo fmt --all -- --check
  say "cargo clippy -D warnings"
  cargo clippy --workspace --all-targets --release -- -D warnings
  say "cargo test (core, plot, CLI)"
  cargo test --workspace --release
  if [ -d crates/divergence-web ]; then
    ensure_chromium
    build_web
    say "wasm-bindgen tests in headless Chromium"
    CHROMEDRIVER=/usr/bin/chromedriver WASM_BINDGEN_TEST_TIMEOUT=120 \
      CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
      cargo test --release --target "$WASM_TARGET" -p divergence-web -p divergence-flow-web
    clippy_wasm
    say "building the fault-injection bundle for the crash-recovery test"
    bundle out/pkg-faults --features fault-injection
    bundle www/pkg
    ensure_hugo
    write_dist
    say "browser tests (Playwright, Chromium; the Hugo site installs from dist/)"
    node --test tests/
  fi
  (cmd_fuzz 15)
}

clippy_wasm() {
  say "cargo clippy for the wasm crates"
  cargo clippy --release --target "$WASM_TARGET" -p divergence-web -p divergence-flow-web -p divergence-web-common \
    --all-targets --all-features -- -D warnings
}

cmd_bench() {
  say "criterion benchmarks of the core"
  DIVERGENCE_BENCH_GRIDS=${DIVERGENCE_BENCH_GRIDS:-128,256,512} cargo bench -p divergence --bench landscape
  if ! python3 -c 'import numpy' 2>/dev/null; then
    say "installing numpy for the peer baseline"
    python3 -m pip install --quiet numpy
  fi
  say "core against the numpy peer, 128² to 512² (BENCHMARKS.md)"
  cargo run --release -q -p divergence --example bench_table -- ../shared/peers/numpy_landscape.py BENCHMARKS.md
  if [ -d crates/divergence-web ]; then
    ensure_chromium
    build_web
    say "the landscapes in wasm under Node"
    node tests/wasm_bench.mjs
    say "frame times while dragging, headless Chromium"
    node tests/frames.mjs
    node tests/frames.mjs 256x256
    say "longest frame gap and settle time after a change, headless Chromium"
    node tests/settle.mjs
    say "soak: 10,000 state changes in headless Chromium"
    node tests/soak.mjs 10000
    node tests/bench_report.mjs
  fi
}

cmd_fuzz() {
  local seconds=${1:-60}
  if ! command -v cargo-fuzz >/dev/null; then
    say "installing cargo-fuzz"
    cargo install cargo-fuzz --version 0.13.2
  fi
  # cargo-fuzz needs nightly flags; without a nightly toolchain, stable with RUSTC_BOOTSTRAP.
  local cargo=(cargo)
  if rustup toolchain list | grep -q '^nightly'; then cargo=(cargo +nightly); else export RUSTC_BOOTSTRAP=1; fi
  cd fuzz
  for t in target_spec fragment; do
    say "fuzzing $t for $seconds s"
    mkdir -p "corpus/$t"
    local log="target/fuzz-$t.log"
    mkdir -p target
    if ! "${cargo[@]}" fuzz run -O "$t" "corpus/$t" "seeds/$t" -- \
      -max_total_time="$seconds" -max_len=1024 >"$log" 2>&1; then
      tail -n 40 "$log" >&2
      echo "fuzz: $t failed; the input is in fuzz/artifacts/$t, the log in fuzz/$log" >&2
      exit 1
    fi
    grep -E '^Done' "$log"
  done
}

case "${1:-help}" in
  build) cmd_build ;;
  dist) cmd_dist ;;
  serve) shift; cmd_serve "$@" ;;
  test) cmd_test ;;
  bench) cmd_bench ;;
  fuzz) shift; cmd_fuzz "$@" ;;
  *)
    sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac

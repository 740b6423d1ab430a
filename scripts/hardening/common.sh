# Shared by the hardening scripts (sourced, not run): a private copy of the tree with its own
# build/ and dist/, so an instrumented build never touches the shared build/ folder.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# copy_tree DEST: the sources, tests and scripts of ROOT in DEST (build/ and dist/ left out,
# node_modules linked), then the TypeScript compiled there. HARDENING_FROM_HEAD=1 takes the last
# commit instead of the working tree (results that uncommitted edits elsewhere cannot change).
copy_tree() {
  local dest=$1
  mkdir -p "$dest"
  if [ "${HARDENING_FROM_HEAD:-0}" = 1 ]; then
    (cd "$ROOT" && git archive --format=tar HEAD) | (cd "$dest" && tar -xf -)
  else
    (cd "$ROOT" && tar --exclude=./build --exclude=./dist --exclude=./node_modules --exclude=./.git \
        --exclude=./coverage --exclude=./bench/out -cf - .) | (cd "$dest" && tar -xf -)
  fi
  ln -sfn "$ROOT/node_modules" "$dest/node_modules"
  # tsc emits even when a file elsewhere in the tree has a type error; the suites then report it.
  (cd "$dest" && npx tsc -p tsconfig.json >"$dest/tsc.log" 2>&1) || true
}

# build_native DEST CXXFLAGS LDFLAGS: the addon and both mocks in DEST/build with those flags.
build_native() {
  local dest=$1
  (cd "$dest" && CFLAGS="$2" CXXFLAGS="$2" LDFLAGS="$3" npx node-gyp configure >/dev/null &&
    CFLAGS="$2" CXXFLAGS="$2" LDFLAGS="$3" make -C build BUILDTYPE=Release -j"${JOBS:-2}" \
      nvml_mig nvidia-ml nvidia-ml-legacy >"$dest/build.log" 2>&1) || { tail -40 "$dest/build.log"; return 1; }
}

# enter_tree: the folder fuzz.sh, faults.sh and soak.sh run in. By default the repository with its
# shared build/; with HARDENING_PRIVATE=1 a copy with a normal build of its own (another build of
# the shared folder mid-run cannot break the run), rebuilt unless HARDENING_REUSE=1 finds one.
enter_tree() {
  if [ "${HARDENING_PRIVATE:-0}" = 1 ]; then
    local dest=${HARDENING_WORK:-/tmp/nvml-mig-hardening}
    if [ "${HARDENING_REUSE:-0}" != 1 ] || [ ! -f "$dest/build/Release/nvml_mig.node" ]; then
      rm -rf "$dest"
      copy_tree "$dest"
      build_native "$dest" "" ""
    fi
    cd "$dest"
  else
    cd "$ROOT"
  fi
}

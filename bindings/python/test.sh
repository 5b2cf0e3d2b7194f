#!/usr/bin/env bash
# The Python binding's CI step: bindings/python/test.sh BUILD_DIR
#  1. builds the wheel (python -m build --wheel; scikit-build-core compiles the C++ core once,
#     in BUILD_DIR/python-wheel, so a second run is incremental; ccache helps when it is set),
#     checks that `pip install ./bindings/python` installs (reusing that build), and that the
#     sdist holds the C++ core (CMake configures from the unpacked sdist alone; building a
#     wheel from it would compile the core a second time);
#  2. installs it into a fresh virtual environment with numpy, pandas and pytest and runs the
#     tests against the INSTALLED package (not bindings/python/src);
#  3. runs the README quickstart verbatim;
#  4. creates a fresh project in a temp dir outside the repository whose requirements.txt has
#     the one line the README tells a user to add, installs it and runs a small program.
# PYTHON (default python3) picks the interpreter; it needs the venv module.
set -euo pipefail
build=$(cd "${1:?usage: bindings/python/test.sh BUILD_DIR}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
python=${PYTHON:-python3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pip_flags=(--quiet --disable-pip-version-check)

echo "== python: build the wheel"
"$python" -m venv "$tmp/buildenv"
"$tmp/buildenv/bin/pip" install "${pip_flags[@]}" build
"$tmp/buildenv/bin/python" -m build --wheel --outdir "$tmp/dist" \
  -C build-dir="$build/python-wheel" "$here" >"$tmp/build.log" 2>&1 || {
  cat "$tmp/build.log"
  exit 1
}
wheels=("$tmp"/dist/vmengine-*.whl)
[ "${#wheels[@]}" -eq 1 ] || { echo "want one wheel, got: ${wheels[*]}"; exit 1; }
wheel=${wheels[0]}
echo "built $(basename "$wheel")"
"$python" -c 'import sys, zipfile; sys.exit("vmengine/libvmengine.so" not in zipfile.ZipFile(sys.argv[1]).namelist())' "$wheel" ||
  { echo "the wheel lacks vmengine/libvmengine.so"; exit 1; }

echo "== python: pip install ./bindings/python (the same build directory, so no recompilation)"
"$tmp/buildenv/bin/pip" install "${pip_flags[@]}" -C build-dir="$build/python-wheel" "$here"
(cd "$tmp" && "$tmp/buildenv/bin/python" -c 'import vmengine; print("pip install OK:", vmengine.library_path())')

echo "== python: the sdist carries the C++ core (CMake configures from it alone)"
"$tmp/buildenv/bin/python" -m build --sdist --outdir "$tmp/sdist" "$here" >"$tmp/sdist.log" 2>&1 || {
  cat "$tmp/sdist.log"
  exit 1
}
tar -xzf "$tmp"/sdist/vmengine-*.tar.gz -C "$tmp/sdist"
sdist_dir=$(echo "$tmp"/sdist/vmengine-*/)
cmake -S "$sdist_dir" -B "$tmp/sdist-build" -G Ninja -DCMAKE_BUILD_TYPE=Release >"$tmp/sdist-cmake.log" 2>&1 || {
  cat "$tmp/sdist-cmake.log"
  exit 1
}

echo "== python: pytest against the installed wheel"
"$python" -m venv "$tmp/venv"
"$tmp/venv/bin/pip" install "${pip_flags[@]}" "$wheel" pandas pytest
(cd "$tmp" && VMENGINE_EXPECT_INSTALLED=1 "$tmp/venv/bin/python" -m pytest -q -p no:cacheprovider \
  --rootdir "$here" -c "$here/pyproject.toml" "$here/tests")

echo "== python: README quickstart"
"$tmp/venv/bin/python" - "$here/README.md" >"$tmp/quickstart.py" <<'PY'
import re, sys
m = re.search(r"<!-- quickstart[^>]*-->\s*```python\n(.*?)```", open(sys.argv[1]).read(), re.S)
sys.stdout.write(m.group(1))
PY
(cd "$root" && "$tmp/venv/bin/python" "$tmp/quickstart.py")

echo "== python: a fresh project outside the repository"
proj="$tmp/project"
mkdir -p "$proj"
echo "vmengine[pandas] @ file://$wheel" >"$proj/requirements.txt"
cat >"$proj/app.py" <<'PY'
import sys
import tempfile

import vmengine

with tempfile.TemporaryDirectory() as tmp, vmengine.open(f"{tmp}/db", retention="10y") as db:
    res = db.import_prometheus(sys.argv[1])
    db.flush()
    df = db.to_pandas('{__name__=~".+"}')
    assert res.rows.rows_added == 608400 and db.series_count() == 507 and df.shape[0] == 608400
    print("fresh project OK:", vmengine.library_path(), df.shape)
PY
(cd "$proj" && "$python" -m venv .venv && .venv/bin/pip install "${pip_flags[@]}" -r requirements.txt &&
  .venv/bin/python app.py "$root/examples/data/node_exporter_1s_1200.prom.zst")
echo "== python: OK"

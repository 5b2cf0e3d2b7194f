#!/usr/bin/env bash
# Checks that every tracked C/C++ file (git ls-files '*.c' '*.cc' '*.h') is left unchanged by
# clang-format with the repository's .clang-format. Prints each offending file and exits 1;
# fix them with `clang-format -i FILE...`. CLANG_FORMAT overrides the binary (scripts/setup.sh
# installs Debian 12's clang-format 14, the version the tree is formatted with).
set -euo pipefail
cd "$(dirname "$0")/.."
cf=${CLANG_FORMAT:-clang-format}
if ! command -v "$cf" >/dev/null 2>&1; then
  echo "check_format.sh: $cf not found (scripts/setup.sh installs clang-format)" >&2
  exit 2
fi
if ! files=$(git ls-files -- '*.c' '*.cc' '*.h'); then
  echo "check_format.sh: $(pwd) is not a git checkout; cannot list the tracked files" >&2
  exit 2
fi
bad=()
n=0
while IFS= read -r f; do
  [ -n "$f" ] || continue
  n=$((n + 1))
  if ! out=$("$cf" --dry-run -Werror "$f" 2>&1); then
    bad+=("$f")
    printf '%s\n' "$out" | head -n 6 >&2
  fi
done <<<"$files"
if [ ${#bad[@]} -gt 0 ]; then
  echo "check_format.sh: ${#bad[@]} of $n files are not clang-formatted ($("$cf" --version)):" >&2
  printf '  %s\n' "${bad[@]}" >&2
  echo "fix with: clang-format -i ${bad[*]}" >&2
  exit 1
fi
echo "check_format.sh: all $n C/C++ files are clang-formatted"

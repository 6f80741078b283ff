# install_locked SOURCE TARGET WHAT NPM-COMMAND...: the npm packages SOURCE/package.json and
# its package-lock.json pin, installed into TARGET by NPM-COMMAND (run there), once per
# lockfile: nothing is done while TARGET holds the same lockfile and `installed` (a function
# the caller defines) succeeds. WHAT names them in messages. Sourced by the install scripts.
install_locked() {
  local source=$1 target=$2 what=$3
  shift 3
  if cmp -s "$source/package-lock.json" "$target/package-lock.json" && installed; then
    return 0
  fi
  command -v npm > /dev/null || { echo "install.sh: npm is missing (scripts/install-deps.sh installs it)" >&2; return 1; }
  echo "installing $what into $target" >&2
  rm -rf "$target"
  mkdir -p "$target"
  cp "$source/package.json" "$source/package-lock.json" "$target/"
  (cd "$target" && "$@") || return 1
  installed || { echo "install.sh: $what not usable after installing" >&2; return 1; }
}

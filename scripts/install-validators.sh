#!/usr/bin/env bash
# Installs the validators `npm run check` and the tests use into .tools/ (git-ignored):
#   .tools/bin/quadlet     Podman's Quadlet generator, from Debian trixie's `podman` package
#   .tools/bin/caddy       from Debian trixie's `caddy` package
#   .tools/bin/shellcheck  from Debian trixie's `shellcheck` package
#   .tools/paperclip/      the pinned Paperclip release from npm (`paperclipai`, and the Node it needs
#                          from the npm package `node`) for the acceptance suite (test/paperclipAcceptance*)
# and checks what `systemd-analyze --user verify` needs on this machine (systemd, util-linux's
# unshare and a working mount namespace, see cli/validators/systemdVerify.ts).
#
# Rootless where possible: the packages are fetched with `apt-get download` through a PRIVATE apt
# state under .tools/apt (its own sources list for trixie on the machine's own Debian mirror, its own
# lists and cache), then unpacked with `dpkg-deb -x`. The system's apt state is never written.
# Only a missing systemd (or missing shared libraries) needs root; as root (CI) it is installed with
# the system's apt, otherwise the script stops and says what to install.
#
# Idempotent: a tool already in .tools/ at the expected version is left alone and the network is not
# used. Environment:
#   DEBIAN_MIRROR   override the mirror (default: the first Debian archive URI in /etc/apt)
#   VALIDATORS_SUITE  the suite to take the tools from (default trixie)
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools_dir="$repo_root/.tools"
bin_dir="$tools_dir/bin"
pkgs_dir="$tools_dir/pkgs"
versions_dir="$tools_dir/versions"
apt_dir="$tools_dir/apt"
suite="${VALIDATORS_SUITE:-trixie}"

# The upstream series each tool must come from. A different candidate in the suite stops the script:
# moving to a new series is a deliberate change (quadletKeys.ts gates keys by the Podman version).
readonly quadlet_series="5.4."    # Podman in trixie; Fedora targets run >= 5.4
readonly caddy_series="2.6."
readonly shellcheck_series="0.10."
readonly systemd_min_major=252

started_at=$SECONDS
say() { printf 'install-validators: %s\n' "$*"; }
die() { printf '\ninstall-validators: ERROR: %s\n' "$*" >&2; exit 1; }

is_root() { [[ "$(id -u)" == "0" ]]; }

mkdir -p "$bin_dir" "$pkgs_dir" "$versions_dir"

# ---------------------------------------------------------------------------------------------
# Private apt state. Everything apt reads or writes for our downloads lives under .tools/apt.
# apt.conf.d stays in effect on purpose: it carries proxies and the like on other machines.
# ---------------------------------------------------------------------------------------------
detect_mirror() {
  if [[ -n "${DEBIAN_MIRROR:-}" ]]; then printf '%s\n' "$DEBIAN_MIRROR"; return; fi
  local codename uri
  # shellcheck source=/dev/null  # the machine's own os-release
  codename="$(. /etc/os-release && printf '%s' "${VERSION_CODENAME:-}")"
  # deb822 files: a stanza whose Suites include the machine's own codename (not -security).
  uri="$(awk -v code="$codename" '
      BEGIN { RS = ""; FS = "\n" }
      {
        uris = ""; suites = ""
        for (i = 1; i <= NF; i++) {
          if ($i ~ /^URIs:/)   { uris = $i;   sub(/^URIs:[ \t]*/, "", uris) }
          if ($i ~ /^Suites:/) { suites = $i; sub(/^Suites:[ \t]*/, "", suites) }
        }
        n = split(suites, s, /[ \t]+/)
        for (j = 1; j <= n; j++) if (s[j] == code) { split(uris, u, /[ \t]+/); print u[1]; exit }
      }' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)"
  if [[ -z "$uri" && -r /etc/apt/sources.list ]]; then
    uri="$(awk -v code="$codename" '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i !~ /^\[/) { if ($(i+1) == code) { print $i; exit } break } }' /etc/apt/sources.list || true)"
  fi
  [[ -n "$uri" ]] || die "cannot find this machine's Debian mirror in /etc/apt (looked for suite '$codename'); set DEBIAN_MIRROR=http://…/debian"
  printf '%s\n' "${uri%/}"
}

apt_options=()
private_apt_ready=0
prepare_private_apt() {
  [[ "$private_apt_ready" == 1 ]] && return
  command -v apt-get >/dev/null || die "apt-get not found: this script needs a Debian machine"
  command -v dpkg-deb >/dev/null || die "dpkg-deb not found"
  local mirror
  mirror="$(detect_mirror)"
  mkdir -p "$apt_dir/sources" "$apt_dir/preferences" "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/debs"
  cat >"$apt_dir/sources/$suite.sources" <<EOF
Types: deb
URIs: $mirror
Suites: $suite
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  apt_options=(
    -o "Dir::Etc::SourceList=/dev/null"
    -o "Dir::Etc::SourceParts=$apt_dir/sources"
    -o "Dir::Etc::Preferences=/dev/null"               # the system's pins must not pick our candidates
    -o "Dir::Etc::PreferencesParts=$apt_dir/preferences"
    -o "Dir::State::Lists=$apt_dir/lists"
    -o "Dir::Cache=$apt_dir/cache"
    -o "Debug::NoLocking=1"                            # private state: no need for the system's locks
    -o "APT::Update::Error-Mode=any"                   # a failed index download is an error, not a warning
  )
  # As root apt downloads as the `_apt` user, which cannot write into our private dirs.
  if is_root; then apt_options+=(-o "APT::Sandbox::User=root"); fi
  say "fetching the $suite package index from $mirror (private apt state in .tools/apt)"
  if ! apt-get "${apt_options[@]}" -q update >"$apt_dir/update.log" 2>&1; then
    cat "$apt_dir/update.log" >&2
    die "apt-get update for '$suite' on $mirror failed (output above). The validators need the Debian mirror once; check the network, or set DEBIAN_MIRROR."
  fi
  private_apt_ready=1
}

candidate_version() { # package -> version apt would download from the private index
  # awk reads to the end (no early exit): under pipefail, apt-cache killed by SIGPIPE failed the script (141).
  apt-cache "${apt_options[@]}" policy "$1" | awk '/Candidate:/ && !found { print $2; found = 1 }'
}

# download_and_unpack PACKAGE -> prints the unpack dir; the .deb is removed afterwards.
download_and_unpack() {
  local package="$1" version deb unpack
  version="$(candidate_version "$package")"
  [[ -n "$version" && "$version" != "(none)" ]] || die "package '$package' not found in $suite"
  rm -f "$apt_dir/debs/${package}_"*.deb
  (cd "$apt_dir/debs" && apt-get "${apt_options[@]}" -q download "$package=$version" >"$apt_dir/download-$package.log" 2>&1) ||
    { cat "$apt_dir/download-$package.log" >&2; die "apt-get download $package=$version failed (output above)"; }
  deb="$(ls "$apt_dir/debs/${package}_"*.deb)"
  unpack="$apt_dir/unpack/$package"
  rm -rf "$unpack" && mkdir -p "$unpack"
  dpkg-deb -x "$deb" "$unpack"
  printf '%s\n' "$version" >"$unpack.version"
  dpkg-deb -f "$deb" Depends >"$unpack.depends"
  rm -f "$deb"
  printf '%s\n' "$unpack"
}

# Shared libraries a downloaded binary needs must exist on this machine. On bookworm they do
# (libc; libzstd1 for caddy; libgmp10 and libffi8 for shellcheck, all pulled in by dpkg, coreutils
# and apt). If not: install the packages its Depends names with the system's apt when root.
ensure_shared_libraries() {
  local binary="$1" package="$2" depends_file="$3"
  local -a missing packages
  mapfile -t missing < <(ldd "$binary" 2>&1 | awk '/not found/ { print $1 }')
  [[ ${#missing[@]} -eq 0 ]] && return
  mapfile -t packages < <(tr ',' '\n' <"$depends_file" | sed -E 's/\|.*//; s/\(.*\)//; s/:any//; s/[[:space:]]//g' | grep -v -e '^libc6$' -e '^$')
  if is_root; then
    say "$package needs ${missing[*]} — installing ${packages[*]} with the system's apt (root)"
    if ! { apt-get -q update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get -q install -y --no-install-recommends "${packages[@]}"; }; then
      die "apt-get install ${packages[*]} failed"
    fi
  else
    die "$binary needs shared libraries this machine lacks: ${missing[*]}. Install them as root: apt-get install ${packages[*]}"
  fi
}

# install_tool TOOL PACKAGE SERIES PATH_IN_PACKAGE VERSION_COMMAND
install_tool() {
  local tool="$1" package="$2" series="$3" path_in_package="$4" version_flag="$5"
  local stamp="$versions_dir/$tool" link="$bin_dir/$tool"
  if [[ -x "$link" && -s "$stamp" ]] && "$link" "$version_flag" >/dev/null 2>&1; then
    local recorded; recorded="$(cat "$stamp")"
    if [[ "$recorded" == "$package $series"* ]]; then
      say "$tool: present ($recorded), skipping"
      return
    fi
    say "$tool: present but recorded as '$recorded', expected $package $series* — replacing"
  fi
  prepare_private_apt
  local version unpack dest
  version="$(candidate_version "$package")"
  [[ "${version#*:}" == "$series"* ]] ||
    die "$suite offers $package $version, expected the $series* series. Update the series in scripts/install-validators.sh deliberately (and components/podman/quadletKeys.ts for Podman)."
  say "$tool: downloading $package $version from $suite"
  unpack="$(download_and_unpack "$package")"
  [[ -f "$unpack/$path_in_package" ]] || die "$package $version has no $path_in_package"
  dest="$pkgs_dir/${package}_${version}"
  rm -rf "$dest" && mkdir -p "$dest"
  cp "$unpack/$path_in_package" "$dest/$tool"
  cp "$unpack/usr/share/doc/$package/copyright" "$dest/copyright" 2>/dev/null || true
  ensure_shared_libraries "$dest/$tool" "$package" "$unpack.depends"
  rm -rf "$unpack" "$unpack.version" "$unpack.depends"
  ln -sfn "../pkgs/${package}_${version}/$tool" "$link"
  "$link" "$version_flag" >/dev/null 2>&1 || die "$link does not run on this machine ($link $version_flag failed)"
  printf '%s %s (%s)\n' "$package" "$version" "$suite" >"$stamp"
  say "$tool: installed $package $version → .tools/bin/$tool"
}

# ---------------------------------------------------------------------------------------------
install_tool quadlet    podman     "$quadlet_series"    usr/libexec/podman/quadlet -version
install_tool caddy      caddy      "$caddy_series"      usr/bin/caddy              version
install_tool shellcheck shellcheck "$shellcheck_series" usr/bin/shellcheck         --version

# The Paperclip release every target deploys (components/paperclip/paperclipRelease.ts), from npm:
# `paperclipai` and the Node it needs (engines.node), in a private prefix. The acceptance suite runs it.
release_file="$repo_root/components/paperclip/paperclipRelease.ts"
release_field() { sed -nE "s/^  $1: \"([^\"]+)\",$/\1/p" "$release_file"; }
paperclip_version="$(release_field version)"
paperclip_node="$(release_field nodeVersion)"
[[ -n "$paperclip_version" && -n "$paperclip_node" ]] || die "cannot read version/nodeVersion from $release_file"
paperclip_dir="$tools_dir/paperclip"
paperclip_stamp="$versions_dir/paperclip"
paperclip_wanted="paperclipai@$paperclip_version node@$paperclip_node"
if [[ -s "$paperclip_stamp" && "$(cat "$paperclip_stamp")" == "$paperclip_wanted" ]] &&
  "$paperclip_dir/node_modules/.bin/node" --version >/dev/null 2>&1 && [[ -e "$paperclip_dir/node_modules/.bin/paperclipai" ]]; then
  say "paperclip: present ($paperclip_wanted), skipping"
else
  command -v npm >/dev/null || die "npm not found (it installs paperclipai and node into .tools/paperclip)"
  say "paperclip: installing $paperclip_wanted from npm into .tools/paperclip"
  rm -rf "$paperclip_dir" && mkdir -p "$paperclip_dir"
  printf '{"private": true}\n' >"$paperclip_dir/package.json"
  # --engine-strict off: the installing npm runs on the repository's Node; paperclipai runs on node@24.
  if ! (cd "$paperclip_dir" && npm install --no-fund --no-audit --no-save --loglevel=error \
    "paperclipai@$paperclip_version" "node@$paperclip_node" >"$paperclip_dir/install.log" 2>&1); then
    cat "$paperclip_dir/install.log" >&2
    die "npm install paperclipai@$paperclip_version node@$paperclip_node failed (output above)"
  fi
  node_version="$("$paperclip_dir/node_modules/.bin/node" --version)" || die "node@$paperclip_node does not run on this machine"
  [[ "$node_version" == "v$paperclip_node" ]] || die "node@$paperclip_node reports $node_version"
  printf '%s\n' "$paperclip_wanted" >"$paperclip_stamp"
  say "paperclip: installed $paperclip_wanted → .tools/paperclip/node_modules/.bin"
fi

# systemd-analyze comes from the machine's own systemd: `verify` needs the real user-manager unit
# tree (/usr/lib/systemd/user: default.target, basic.target, …), not just a binary.
if ! command -v systemd-analyze >/dev/null; then
  if is_root; then
    say "systemd-analyze: missing — installing systemd with the system's apt (root)"
    if ! { apt-get -q update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get -q install -y --no-install-recommends systemd >/dev/null; }; then
      die "apt-get install systemd failed"
    fi
  else
    die "systemd-analyze not found. Install it as root: apt-get install systemd"
  fi
fi
systemd_version="$(systemd-analyze --version | awk 'NR == 1 { print $2 }')"
[[ "$systemd_version" =~ ^[0-9]+$ && "$systemd_version" -ge "$systemd_min_major" ]] ||
  die "systemd-analyze $systemd_version is older than $systemd_min_major"
say "systemd-analyze: present (systemd $systemd_version)"

# Generated services run /usr/bin/podman, host units /usr/bin/cloudflared …: on this machine they are
# provided as placeholders inside a private mount namespace (overlayfs), see systemdVerify.ts.
# Check now that such a namespace can be made, so a failure shows up here and not as a test failure.
command -v unshare >/dev/null || die "unshare (util-linux) not found"
namespace_probe="$(mktemp -d)"
trap 'rm -rf "$namespace_probe"' EXIT
mkdir -p "$namespace_probe/lower/usr/bin"
: >"$namespace_probe/lower/usr/bin/paperclip-namespace-probe"
unshare_args=(--mount --propagation private)
is_root || unshare_args=(--user --map-root-user "${unshare_args[@]}")
# shellcheck disable=SC2016  # $1 is expanded by the inner shell
if unshare "${unshare_args[@]}" /bin/sh -c 'mount -t overlay overlay -o "lowerdir=$1/usr/bin:/usr/bin" /usr/bin && test -e /usr/bin/paperclip-namespace-probe' \
  sh "$namespace_probe/lower" 2>"$namespace_probe/err"; then
  say "verification namespace: ok (unshare ${unshare_args[*]} + overlayfs)"
else
  cat "$namespace_probe/err" >&2
  die "cannot create a mount namespace with an overlay on /usr/bin (output above). systemd-analyze verify of units whose ExecStart binaries are absent here (podman, cloudflared) needs it: run as root, or enable unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1)."
fi

say "done in $((SECONDS - started_at)) s:"
for tool in quadlet caddy shellcheck; do say "  .tools/bin/$tool = $(cat "$versions_dir/$tool")"; done
say "  .tools/paperclip = $(cat "$paperclip_stamp")"
say "  systemd-analyze = $(command -v systemd-analyze) (systemd $systemd_version)"

# Sourced by scripts/container-test.sh: podman on a machine with no Docker engine and no
# registry (the recipe in the project's notes). Defines container_skip, podman_prepare (packages,
# a containers.conf of our own, a smoke test) and local_base_image (Debian bookworm made with
# debootstrap and slimmed like debian:bookworm-slim, cached as a tar under $podman_state).
# Expects $podman_state (a folder for the cached files) and runs from the repository's root.

# One clear line, exit 0: where podman cannot run, the container test is skipped, not failed.
container_skip() {
  echo "container-test: skipped: $*"
  exit 0
}

# Installs podman, runc and debootstrap when missing, writes the containers.conf every podman
# call of this shell uses (runc and cgroupfs: crun refuses hybrid cgroups; ulimits the sandbox
# allows; k8s-file logs for `podman logs`) and checks that podman answers at all.
podman_prepare() {
  [ "$(uname -s)" = Linux ] || container_skip "podman images need Linux"
  [ "$(id -u)" -eq 0 ] || container_skip "needs root (podman runs rootful here; no user namespaces for rootless)"
  local missing=() package
  for package in podman runc debootstrap; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing: ${missing[*]}"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null; } \
      || container_skip "could not install ${missing[*]}"
  fi
  mkdir -p "$podman_state"
  cat >"$podman_state/containers.conf" <<'EOF'
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=4096:4096"]
log_driver = "k8s-file"
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
EOF
  export CONTAINERS_CONF="$podman_state/containers.conf"
  local error
  error=$(podman info 2>&1 >/dev/null) || container_skip "podman does not start: $(tail -1 <<<"$error")"
}

# The host's firewall rule set (empty where nft is missing): container-test.sh checks that it is
# unchanged at the end.
host_firewall() { nft --stateless list ruleset 2>/dev/null || true; }

# The host's Debian mirror (deb822 sources first, then sources.list), for debootstrap.
debian_mirror() {
  local mirror
  mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  [ -n "$mirror" ] || mirror=$(awk '$1 == "deb" {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
  echo "${mirror:-http://deb.debian.org/debian}"
}

# local_base_image NAME: Debian bookworm (minbase) as the image NAME, unless it exists; from the tar
# cache when there, else debootstrap (about a minute). As in debian:bookworm-slim, documentation,
# man pages and translations are removed and kept out of later installs (dpkg path-exclude), and
# apt keeps no package caches (its docker-clean settings). Then a container must start from it, or
# the test is skipped. Change base_recipe when this recipe changes: the tar and the tag carry it.
base_recipe=2
local_base_image() {
  local name=$1 tar="$podman_state/debian-bookworm-slim-$base_recipe.tar"
  if ! podman image exists "$name"; then
    if [ ! -s "$tar" ]; then
      local rootfs="$podman_state/rootfs"
      rm -rf "$rootfs"
      echo "Making the base image with debootstrap (once; cached in $tar)"
      timeout 900 debootstrap --variant=minbase bookworm "$rootfs" "$(debian_mirror)" >"$podman_state/debootstrap.log" 2>&1 \
        || { tail -5 "$podman_state/debootstrap.log" >&2; return 1; }
      cat >"$rootfs/etc/dpkg/dpkg.cfg.d/slim" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
EOF
      cat >"$rootfs/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
      find "$rootfs/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
      rm -rf "$rootfs"/usr/share/{man,info,groff,lintian}/* "$rootfs"/var/cache/apt/archives/*.deb \
        "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/log/*.log
      find "$rootfs/usr/share/locale" -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} +
      tar -C "$rootfs" -cf "$tar.partial" . && mv "$tar.partial" "$tar"
      rm -rf "$rootfs"
    fi
    podman import "$tar" "$name" >/dev/null
  fi
  local error
  error=$(podman run --rm --network host "$name" true 2>&1) \
    || container_skip "podman cannot run a container here: $(tail -1 <<<"$error")"
}

# local_image NAME CONTAINERFILE [podman build options]: builds NAME from CONTAINERFILE (context:
# the file's folder) unless it exists; the images the test needs beside the product image. Name
# them after the base image's id (image_id), so a new base makes them again.
local_image() {
  local name=$1 file=$2
  shift 2
  podman image exists "$name" && return 0
  echo "Building $name (once)"
  timeout 900 podman build --pull=never --network host --layers=false "$@" -t "$name" -f "$file" "$(dirname "$file")" \
    >"$podman_state/$(basename "$file").log" 2>&1 \
    || { tail -20 "$podman_state/$(basename "$file").log" >&2; return 1; }
}

# image_id NAME: the image's id, 12 characters (empty when there is no such image).
image_id() { podman image inspect --format '{{.Id}}' "$1" 2>/dev/null | cut -c1-12 || true; }

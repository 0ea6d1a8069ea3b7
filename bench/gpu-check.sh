#!/usr/bin/env bash
# The air-gapped GPU check of issue #12: on a Linux machine with an NVIDIA GPU and its driver, but
# no network and no Node.js, runs the bench on webgpu and on cpu from a copy of this repo plus the
# bundle `npm run bench:gpu-bundle` wrote (bench/gpu-bundle/), and prints both and their ratios.
#
#   bash bench/gpu-check.sh              webgpu, then cpu (about 5 minutes at most)
#   bash bench/gpu-check.sh --cpu-only   no GPU needed: proves the bundle's node + onnxruntime run
#   options: --bundle DIR (default bench/gpu-bundle), --sections a,b (default convstack,autodiff,attribution),
#            --keep (leave the unpacked copy and print where)
#   env: NG_GPU_TIMEOUT, NG_CPU_TIMEOUT (seconds per bench run: 170 and 100), OUT (results are copied there)
#
# Exit: 0 all ran · 1 a bench section failed · 2 the bundle is missing, broken or cannot run here ·
#       3 no NVIDIA GPU, driver or Vulkan ICD · 4 WebGPU did not start · 124 a run overran its time.
set -u

die() {
  local code=$1
  shift
  echo "gpu-check: $*" >&2
  exit "$code"
}

usage() { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; }

CPU_ONLY=0
KEEP=0
BUNDLE=""
SECTIONS="convstack,autodiff,attribution"
while [ $# -gt 0 ]; do
  case "$1" in
    --cpu-only) CPU_ONLY=1 ;;
    --keep) KEEP=1 ;;
    --bundle) [ $# -ge 2 ] || die 2 "--bundle needs a folder"; BUNDLE=$2; shift ;;
    --sections) [ $# -ge 2 ] || die 2 "--sections needs a list"; SECTIONS=$2; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die 2 "unknown option $1" ;;
  esac
  shift
done

REPO=$(cd "$(dirname "$0")/.." && pwd)
BUNDLE=${BUNDLE:-$REPO/bench/gpu-bundle}
GPU_TIMEOUT=${NG_GPU_TIMEOUT:-170}
CPU_TIMEOUT=${NG_CPU_TIMEOUT:-100}
START=$(date +%s)

[ -f "$REPO/bench/run.ts" ] || die 2 "$REPO is not a neurogate checkout (no bench/run.ts)"
for f in node.xz onnxruntime-node.tar.xz node_modules.tar.xz vulkan.tar.xz SHA256SUMS; do
  [ -f "$BUNDLE/$f" ] || die 2 "no bundle: $BUNDLE/$f is missing. On a machine with Node, network and this repo's node_modules, run \`npm run bench:gpu-bundle\`, then bring bench/gpu-bundle/ along with the repo (device tool: carry [\"bench/gpu-bundle\"])"
done

# Unpacking needs xz (or Python's lzma when xz-utils is not installed) and tar.
have() { command -v "$1" >/dev/null 2>&1; }
if have xz; then
  unxz_to() { xz -dc "$1" >"$2"; }
elif have python3; then
  unxz_to() { python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' "$1" "$2"; }
else
  die 2 "need xz (xz-utils) or python3 to unpack the bundle"
fi
if have xz && have tar; then
  untar_xz() { xz -dc "$1" | tar -xf - -C "$2"; }
elif have python3; then
  untar_xz() { python3 -c 'import sys, tarfile; t = tarfile.open(sys.argv[1]); (t.extractall(sys.argv[2], filter="tar") if hasattr(tarfile, "tar_filter") else t.extractall(sys.argv[2]))' "$1" "$2"; }
else
  die 2 "need tar and xz, or python3, to unpack the bundle"
fi

# The bundle must be the one that was built: a truncated copy fails here, not halfway through.
if have sha256sum; then
  (cd "$BUNDLE" && sha256sum -c --quiet SHA256SUMS) || die 2 "the bundle in $BUNDLE does not match its SHA256SUMS; rebuild it with \`npm run bench:gpu-bundle\`"
else
  echo "gpu-check: note: no sha256sum here, the bundle's checksums are not verified"
fi

# Is `soname` loadable without our help: the linker cache, the usual folders, LD_LIBRARY_PATH?
system_has() {
  { ldconfig -p 2>/dev/null || /sbin/ldconfig -p 2>/dev/null; } | grep -q "[[:space:]]$1 (.*x86-64" && return 0
  local d
  for d in /usr/lib/x86_64-linux-gnu /lib/x86_64-linux-gnu /usr/lib64 /lib64 /usr/local/lib $(echo "${LD_LIBRARY_PATH:-}" | tr ':' ' '); do
    [ -e "$d/$1" ] && return 0
  done
  return 1
}
add_lib_dir() { export LD_LIBRARY_PATH="$1${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"; }

# The GPU, its driver and its Vulkan ICD, checked before minutes go into unpacking.
GPU_INFO=""
note() { echo "$1"; GPU_INFO="$GPU_INFO$1"$'\n'; }
if [ "$CPU_ONLY" = 0 ]; then
  if have nvidia-smi; then
    GPU=$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1) || die 3 "nvidia-smi failed, the NVIDIA driver does not work here: $GPU"
    [ -n "$GPU" ] || die 3 "nvidia-smi lists no GPU"
  elif [ -e /dev/nvidia0 ]; then
    GPU="/dev/nvidia0 (no nvidia-smi to name it)"
  else
    die 3 "no NVIDIA GPU: neither nvidia-smi nor /dev/nvidia0 is here (bash bench/gpu-check.sh --cpu-only runs the cpu bench alone)"
  fi
  note "gpu: $GPU"

  # The NVIDIA Vulkan ICD: a json naming the driver library the Vulkan loader opens.
  ICD=""
  for f in $(echo "${VK_DRIVER_FILES:-}:${VK_ICD_FILENAMES:-}" | tr ':' ' '); do
    [ -f "$f" ] && { ICD=$f; break; }
  done
  if [ -z "$ICD" ]; then
    for f in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json \
      /etc/vulkan/icd.d/nvidia_icd.json /usr/local/share/vulkan/icd.d/nvidia_icd.json \
      /usr/local/nvidia/share/vulkan/icd.d/*.json /usr/share/vulkan/icd.d/nvidia*.json /etc/vulkan/icd.d/nvidia*.json; do
      [ -f "$f" ] && { ICD=$f; break; }
    done
  fi
  [ -n "$ICD" ] || die 3 "no NVIDIA Vulkan ICD file (nvidia_icd.json) in /usr/local/nvidia/share/vulkan/icd.d, /usr/share/vulkan/icd.d or /etc/vulkan/icd.d; set VK_DRIVER_FILES to it (the driver's Vulkan part may not be installed)"
  export VK_DRIVER_FILES="$ICD" VK_ICD_FILENAMES="$ICD"
  note "vulkan icd: $ICD"
  ICD_LIB=$(sed -n 's/.*"library_path"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' "$ICD" | head -n 1)
  if [ -n "$ICD_LIB" ] && [ "${ICD_LIB#/}" = "$ICD_LIB" ] && ! system_has "$ICD_LIB"; then
    for d in /usr/local/nvidia/lib64 /usr/local/nvidia/lib /usr/lib/nvidia /usr/lib64/nvidia; do
      [ -e "$d/$ICD_LIB" ] && { add_lib_dir "$d"; break; }
    done
    system_has "$ICD_LIB" || die 3 "the ICD $ICD names $ICD_LIB, which is nowhere on this machine's library path"
  fi
  note "vulkan driver library: ${ICD_LIB:-?}"
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/neurogate-gpu.XXXXXX") || die 2 "cannot make a temp folder"
if [ "$KEEP" = 1 ]; then
  trap 'echo "gpu-check: unpacked copy kept in $WORK"' EXIT
else
  trap 'rm -rf "$WORK"' EXIT
fi
mkdir -p "$WORK/bin" "$WORK/lib" "$WORK/repo/bench"

echo "gpu-check: unpacking $BUNDLE into $WORK"
unxz_to "$BUNDLE/node.xz" "$WORK/bin/node" && chmod +x "$WORK/bin/node" || die 2 "could not unpack node.xz"
# A copy of the repo next to its node_modules: Node resolves packages from where the code lies.
for p in package.json tsconfig.json src bin scripts specs; do
  [ -e "$REPO/$p" ] && cp -R "$REPO/$p" "$WORK/repo/"
done
mkdir -p "$WORK/repo/test" && cp -R "$REPO/test/fixtures" "$WORK/repo/test/"
for f in "$REPO"/bench/*; do
  case "$(basename "$f")" in gpu-bundle | results*.json) continue ;; esac # the bundle itself; earlier results
  [ "$f" = "$BUNDLE" ] || cp -R "$f" "$WORK/repo/bench/"
done
untar_xz "$BUNDLE/node_modules.tar.xz" "$WORK/repo" || die 2 "could not unpack node_modules.tar.xz"
untar_xz "$BUNDLE/onnxruntime-node.tar.xz" "$WORK/repo" || die 2 "could not unpack onnxruntime-node.tar.xz"
untar_xz "$BUNDLE/vulkan.tar.xz" "$WORK/lib" || die 2 "could not unpack vulkan.tar.xz"

NODE="$WORK/bin/node"
export PATH="$WORK/bin:$PATH"
NODE_VERSION=$("$NODE" --version 2>&1) || die 2 "the bundle's node does not run on this machine: $NODE_VERSION"
echo "gpu-check: node $NODE_VERSION from the bundle ($NODE); unpacked in $(($(date +%s) - START)) s"

INFO="$WORK/gpu-info.txt"
{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "host: $(uname -srm), $(nproc 2>/dev/null || echo '?') cores"
  echo "node: $NODE_VERSION (bundle)"
  printf "%s" "$GPU_INFO"
} >"$INFO"

if [ "$CPU_ONLY" = 0 ]; then
  # The loader (and glvnd's dispatch library) from the bundle only where the system has none.
  if system_has libvulkan.so.1; then
    echo "vulkan loader: the system's libvulkan.so.1" | tee -a "$INFO"
  else
    add_lib_dir "$WORK/lib/vulkan"
    echo "vulkan loader: the bundle's libvulkan.so.1" | tee -a "$INFO"
  fi
  if [ -e "$WORK/lib/glvnd/libGLdispatch.so.0" ] && ! system_has libGLdispatch.so.0; then
    add_lib_dir "$WORK/lib/glvnd"
    echo "glvnd: the bundle's libGLdispatch.so.0" | tee -a "$INFO"
  fi

  echo "gpu-check: probing WebGPU"
  PROBE=$(cd "$WORK/repo" && "$NODE" --import tsx bench/run.ts --probe --device webgpu 2>&1)
  PROBE_RC=$?
  echo "$PROBE"
  echo "webgpu probe: $(echo "$PROBE" | tail -n 1)" >>"$INFO"
  [ "$PROBE_RC" = 0 ] || {
    [ -n "${OUT:-}" ] && mkdir -p "$OUT" && cp "$INFO" "$OUT/"
    die 4 "WebGPU did not start (VK_DRIVER_FILES=$VK_DRIVER_FILES, LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-}); see the lines above"
  }
fi

TIMEOUT=""
have timeout && TIMEOUT="timeout"
FAILED=0
# run_bench DEVICE SECONDS: one bench run, its table on the terminal and in a log.
run_bench() {
  local dev=$1 budget=$2 rc
  echo
  echo "gpu-check: bench on $dev (sections $SECTIONS, at most $budget s)"
  rm -f "$WORK/repo/bench/results-$dev.json"
  set -o pipefail
  (cd "$WORK/repo" && ${TIMEOUT:+$TIMEOUT $budget} "$NODE" --import tsx bench/run.ts --quick --sections "$SECTIONS" \
    --device "$dev" --out "bench/results-$dev.json") 2>&1 | tee "$WORK/gpu-check-$dev.log"
  rc=$?
  set +o pipefail
  case $rc in
    0) ;;
    124) echo "gpu-check: the $dev run overran $budget s"; FAILED=124 ;;
    *) echo "gpu-check: the $dev run exited $rc"; [ "$FAILED" != 0 ] || FAILED=1 ;;
  esac
  if [ ! -s "$WORK/repo/bench/results-$dev.json" ]; then
    echo "gpu-check: the $dev run wrote no results"
    [ "$FAILED" != 0 ] || FAILED=1
  fi
}

if [ "$CPU_ONLY" = 0 ]; then
  run_bench webgpu "$GPU_TIMEOUT"
  run_bench cpu "$CPU_TIMEOUT"
  R="$WORK/repo/bench"
  if [ -f "$R/results-webgpu.json" ] && [ -f "$R/results-cpu.json" ]; then
    (cd "$WORK/repo" && "$NODE" --import tsx bench/run.ts --compare bench/results-webgpu.json bench/results-cpu.json) | tee -a "$WORK/gpu-check-webgpu.log"
  fi
else
  run_bench cpu "$CPU_TIMEOUT"
fi

# Results go back into the repo's bench/ and, where the device tool set OUT, there too.
for f in "$WORK"/repo/bench/results-*.json; do
  [ -f "$f" ] || continue
  cp "$f" "$REPO/bench/" 2>/dev/null || echo "gpu-check: note: could not write $REPO/bench/$(basename "$f")"
done
if [ -n "${OUT:-}" ]; then
  mkdir -p "$OUT" && cp "$WORK"/repo/bench/results-*.json "$WORK"/gpu-check-*.log "$INFO" "$OUT/" 2>/dev/null
  echo "gpu-check: copied the results, logs and gpu-info.txt to $OUT"
fi
echo "gpu-check: done in $(($(date +%s) - START)) s; results in $REPO/bench/results-*.json"
exit "$FAILED"

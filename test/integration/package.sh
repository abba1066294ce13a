#!/usr/bin/env bash
# The Debian package as an operator meets it: scripts/package.sh builds it
# from a clean clone (lintian without errors); it holds what meson install
# lays out; apt installs it; the default policy checks; none of its
# programs reads a test hook from the environment; both units pass
# systemd-analyze verify; every program in /usr/bin has a man page listing
# its options; promtool accepts the alert rules; op25b runs as op25b@NAME
# would run it (the unit's own command lines, its capability bounding set,
# the pre-start helper, SIGHUP as reload) and op25b-stat as op25b-stat@NAME
# would (no privilege); every metric the rules and the dashboard name is
# one that instance exports; remove keeps the configuration, purge leaves
# nothing. The machine is left as found: the package is purged on exit,
# also on failure, and the directories purge removes are restored when
# they were there before (other op25b runs on this machine use them).
#
# Only in the plain run: the package is built with Debian's flags whatever
# build the suite tests, so a --sanitize run would test the same bytes
# again for another 1-2 minutes.
# Prints "ok NAME" / "not ok NAME" lines; details follow as "#   " lines.
set -uo pipefail
. "$(dirname "$0")/common.bash"
scenario package

installed=""
# What purge removes and other op25b runs on this machine may be using.
shared_dirs=(/etc/op25b /var/lib/op25b /var/log/op25b)
saved=()
# After scenario's kills: purge, then the shared directories as found.
cleanup_more() {
	if [ -n "$installed" ]; then
		DEBIAN_FRONTEND=noninteractive timeout 120 apt-get purge -y -q \
			-o DPkg::Lock::Timeout=60 op25b >/dev/null 2>&1
	fi
	# What the purge check made, should purge have left it.
	rm -f "/etc/op25b/$name.env" \
		"/etc/systemd/system/multi-user.target.wants/op25b@$name.service" \
		"/etc/systemd/system/multi-user.target.wants/op25b-stat@$name.service"
	rmdir /etc/op25b 2>/dev/null
	# An op25b-xdp instance the remove check loaded, should remove have
	# left its pins (its program went with its namespace), and the pin
	# root if its load made it.
	rm -rf "/sys/fs/bpf/op25b/op25b-pkg-$$"
	[ -z "${xdp_made_root:-}" ] || rmdir /sys/fs/bpf/op25b 2>/dev/null
	if [ -n "${xdp_mounted:-}" ] &&
		[ "$(stat -f -c %T /sys/fs/bpf 2>/dev/null)" = bpf_fs ]; then
		umount /sys/fs/bpf
	fi
	restore_dirs
	# The unit's --file-prefix.
	rm -rf "/var/run/dpdk/op25b-$name"
}

# save_dirs: a copy of each shared directory that exists, and of the
# enable links of op25b instances (purge removes them all); restore_dirs
# puts them back as they were (once).
saved_links=()
save_dirs() {
	local d l
	for d in "${shared_dirs[@]}"; do
		[ -d "$d" ] || continue
		tar -C / -cpf "$work/saved${d//\//-}.tar" "${d#/}" && saved+=("$d")
	done
	for l in /etc/systemd/system/*.wants/op25b@*.service \
		/etc/systemd/system/*.wants/op25b-stat@*.service; do
		[ -L "$l" ] && saved_links+=("$l" "$(readlink "$l")")
	done
}
restore_dirs() {
	local d i
	for d in "${saved[@]}"; do
		tar -C / -xpf "$work/saved${d//\//-}.tar"
	done
	for ((i = 0; i < ${#saved_links[@]}; i += 2)); do
		ln -sfn "${saved_links[i + 1]}" "${saved_links[i]}"
	done
	saved=()
	saved_links=()
}

skip() {
	echo "ok package: $1 # SKIP $2"
	exit 0
}
options="$build/meson-info/intro-buildoptions.json"
if [ -f "$options" ] &&
	! grep -q '"name": "b_sanitize", "value": "none"' "$options"; then
	skip "Debian package" "a sanitizer build: the package is built with Debian's flags, the plain run tests it"
fi
[ "$(id -u)" -eq 0 ] || skip "Debian package" "installing a package needs root"
[ -d "$root/.git" ] || [ -f "$root/.git" ] || skip "Debian package" "$root is not a git clone"
if dpkg-query -W -f='${Status}' op25b 2>/dev/null | grep -q "ok installed"; then
	skip "Debian package" "op25b is installed on this machine: the test would replace it"
fi
for tool in dpkg-buildpackage lintian help2man promtool systemd-analyze \
	logrotate setpriv curl; do
	command -v "$tool" >/dev/null || problem "$tool missing: run scripts/setup.sh"
done
if [ -n "$problems" ]; then
	report "package: the tools to build and check it"
	exit 1
fi

apt() {
	DEBIAN_FRONTEND=noninteractive timeout 300 apt-get -y -q \
		-o DPkg::Lock::Timeout=120 "$@"
}
free_port() {
	"$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# --- build from a clean clone -------------------------------------------------
git clone -q "$root" "$work/src" 2>"$work/clone.err" || problem "git clone: $(cat "$work/clone.err")"
(cd "$work/src" && timeout 600 scripts/package.sh --out "$work/deb") \
	>"$work/build.out" 2>"$work/build.err"
want_rc $? 0 "scripts/package.sh: exit status"
deb=$(tail -1 "$work/build.out")
arch=$(dpkg --print-architecture)
version=$(dpkg-deb -f "$deb" Version 2>/dev/null)
if ! tag=$(git -C "$work/src" describe --tags --match 'v[0-9]*' 2>/dev/null); then
	want="$(sed -n "s/^[[:space:]]*version: '\([^']*\)',.*/\1/p" "$work/src/meson.build" | head -1)"
	want+="~git$(git -C "$work/src" rev-list --count HEAD)"
	want+=".g$(git -C "$work/src" rev-parse --short HEAD)"
else
	want=${tag#v}
	want=${want/-/+}
	want=${want/-g/.g}
fi
[ "$version" = "$want" ] || problem "version '$version', want '$want' (git describe)"
# op25b-nic-setup's ip(8): not in minbase or container images.
dpkg-deb -f "$deb" Depends | grep -qw iproute2 ||
	problem "Depends without iproute2: $(dpkg-deb -f "$deb" Depends)"
[ "$deb" = "$work/deb/op25b_${want}_$arch.deb" ] && [ -f "$deb" ] ||
	problem "last line '$deb', want $work/deb/op25b_${want}_$arch.deb"
want_has "$work/build.err" "package: lintian"
if grep -q '^E: ' "$work/build.err"; then
	problem "lintian errors:" "$(grep '^E: ' "$work/build.err")"
fi
[ -n "$problems" ] && problem "$(tail -20 "$work/build.err")"
report "package: scripts/package.sh builds op25b_VERSION_$arch.deb from a clean clone, version from git describe, lintian without errors"
if [ ! -f "$deb" ]; then
	exit 1
fi

# --- the same files as meson install ------------------------------------------
dpkg-deb -c "$deb" | awk '$1 !~ /^d/ {print substr($6, 2)}' | sort >"$work/deb.files"
dpkg-deb -e "$deb" "$work/control"
meson setup --prefix=/usr -Dtests=disabled -Dman=enabled "$work/meson" \
	"$work/src" >"$work/meson.log" 2>&1 || problem "meson setup: $(tail -5 "$work/meson.log")"
meson introspect "$work/meson" --installed >"$work/installed.json"
py_check '
import json, sys
meson = set(json.load(open(sys.argv[1])).values())
# dh_compress gzips man pages; dh_installdocs adds /usr/share/doc/op25b,
# dh_lintian the overrides: the package only, not the machine, needs them.
meson = {p + ".gz" if p.startswith("/usr/share/man/") else p for p in meson}
deb = {l.strip() for l in open(sys.argv[2]) if l.strip()}
deb_own = {p for p in deb if not p.startswith("/usr/share/doc/op25b/")
           and p != "/usr/share/lintian/overrides/op25b"}
errors = []
for p in sorted(meson - deb_own):
    errors.append(f"meson installs {p}, the package has not")
for p in sorted(deb_own - meson):
    errors.append(f"the package has {p}, meson install has not")
conffiles = {l.strip() for l in open(sys.argv[3]) if l.strip()}
etc = {p for p in deb if p.startswith("/etc/")}
if conffiles != etc:
    errors.append(f"conffiles {sorted(conffiles)}, want every /etc file {sorted(etc)}")
for must in ["/usr/bin/op25b", "/etc/op25b/op25b.yaml",
             "/lib/systemd/system/op25b@.service",
             "/lib/systemd/system/op25b-stat@.service",
             "/usr/lib/tmpfiles.d/op25b.conf", "/etc/logrotate.d/op25b",
             "/usr/share/op25b/prometheus/op25b-rules.yml",
             "/usr/share/op25b/grafana/op25b-dashboard.json",
             "/usr/share/op25b/logrotate/logrotate.op25b-records",
             "/usr/share/doc/op25b/records.md.gz",
             "/usr/share/doc/op25b/xdp.md.gz",
             "/usr/share/man/man1/op25b.1.gz"]:
    if must not in deb:
        errors.append(f"no {must} in the package")
if errors:
    sys.exit("\n".join(errors))
print(len(deb))
' "$work/installed.json" "$work/deb.files" "$work/control/conffiles"
report "package: the .deb holds what meson install lays out (and its docs and lintian overrides), every /etc file a conffile"

# --- install -------------------------------------------------------------------
save_dirs
installed=1
apt install "$deb" >"$work/install.log" 2>&1
want_rc $? 0 "apt-get install"
dpkg-query -W -f='${Status}' op25b >"$work/status" 2>&1
want_has "$work/status" "install ok installed"
mapfile -t tools < <(dpkg -L op25b | grep '^/usr/bin/' | sort)
[ ${#tools[@]} -ge 4 ] || problem "programs in /usr/bin: ${tools[*]:-none}"
for t in "${tools[@]}"; do
	[ -x "$t" ] || problem "$t is not executable"
done
op25b-policy check /etc/op25b/op25b.yaml >"$work/check.out" 2>&1
want_rc $? 0 "op25b-policy check /etc/op25b/op25b.yaml"
[ -d /run/op25b ] || problem "no /run/op25b after install (tmpfiles.d)"
[ -n "$problems" ] && problem "$(tail -10 "$work/install.log")" "$(cat "$work/check.out")"
report "package: apt-get install; ${#tools[@]} programs in /usr/bin; op25b-policy check /etc/op25b/op25b.yaml; /run/op25b made"

# --- no test hooks -------------------------------------------------------------
# The package is built without the tests, so that none of its programs
# reads a test hook from the environment (meson.build): no
# OP25B_NOTIFY_TEST_KEY fixes an installed op25b's SYN cookie key.
n_elf=0
while read -r f; do
	[ -f "$f" ] || continue
	[ "$(head -c 4 "$f" | od -An -tx1 | tr -d ' ')" = 7f454c46 ] || continue
	n_elf=$((n_elf + 1))
	# Every hook's name: OP25B_NOTIFY_TEST_KEY, OP25B_XDP_TEST_*,
	# OP25B_TEST_* (the GDS report, the CPU's vendor and model).
	hooks=$(grep -a -o -E 'OP25B_(NOTIFY_TEST_KEY|XDP_TEST_[A-Z_]+|TEST_[A-Z_]+)' "$f" | sort -u | tr '\n' ' ')
	if [ -n "$hooks" ]; then
		problem "$f reads a test hook: $hooks"
	fi
done < <(dpkg -L op25b)
[ "$n_elf" -ge 4 ] || problem "only $n_elf ELF files in the package"
report "package: none of its programs reads a test hook (OP25B_NOTIFY_TEST_KEY, OP25B_XDP_TEST_*, OP25B_TEST_*)"

# --- units ---------------------------------------------------------------------
systemd-analyze verify "op25b@$name.service" "op25b-stat@$name.service" \
	>"$work/verify.out" 2>&1
want_rc $? 0 "systemd-analyze verify"
want_empty "$work/verify.out"
report "package: systemd-analyze verify op25b@NAME.service op25b-stat@NAME.service: no complaint"

# --- man pages -----------------------------------------------------------------
# Whatever programs the package has: a new one needs its page.
pkg_version=$(dpkg-query -W -f='${Version}' op25b)
for t in "${tools[@]}"; do
	tool=$(basename "$t")
	page=$(man -w "$tool" 2>&1) || { problem "man -w $tool: $page"; continue; }
	[[ $page == /usr/share/man/* ]] || problem "man -w $tool: $page, not the package's"
	MANWIDTH=200 man -P cat "$tool" 2>/dev/null >"$work/man.txt"
	"$t" --help >"$work/help.txt" 2>&1
	for opt in $(grep -oE -- '--[a-z][a-z0-9-]+' "$work/help.txt" | sort -u); do
		grep -qF -- "$opt" "$work/man.txt" || problem "man $tool: no $opt (its --help has it)"
	done
	# The page's footer names the package's version, not meson.build's.
	grep -qF -- "$tool $pkg_version" "$work/man.txt" ||
		problem "man $tool does not say version $pkg_version:" "$(tail -2 "$work/man.txt")"
done
report "package: man -w finds a page for each program in /usr/bin (${#tools[@]}), listing every option its --help lists, with the package's version"

# --- observability files -------------------------------------------------------
rules=/usr/share/op25b/prometheus/op25b-rules.yml
dashboard=/usr/share/op25b/grafana/op25b-dashboard.json
promtool check rules "$rules" >"$work/promtool.out" 2>&1
want_rc $? 0 "promtool check rules"
want_re "$work/promtool.out" "SUCCESS: [0-9]+ rules found"
# Each alert fires where it should and not on healthy neighbours.
sed "s#^  - RULES\$#  - $rules#" "$root/test/prometheus/op25b-rules.test.yml" \
	>"$work/rules.test.yml"
if ! promtool test rules "$work/rules.test.yml" >"$work/promtool-test.out" 2>&1; then
	problem "promtool test rules failed:" "$(cat "$work/promtool-test.out")"
fi
n_alerts=$(grep -c -- '- alert:' "$rules")
report "package: promtool check rules $(basename "$rules") ($n_alerts alerts); promtool test rules: each fires on its synthetic series"

# --- op25b as op25b@NAME runs it -----------------------------------------------
unit=/lib/systemd/system/op25b@.service
stat_unit=/lib/systemd/system/op25b-stat@.service
port=$(free_port)
cat >"$work/instance.env" <<EOF
OP25B_EAL=-l 0-1 --no-pci --no-huge -m 512 --no-shconf --no-telemetry --log-level *:warning --vdev net_null0 --vdev net_null1
OP25B_NICS=
OP25B_HUGEPAGES=0
OP25B_OPTIONS=--pairs 0:1
OP25B_STAT_LISTEN=127.0.0.1:$port
EOF
# unit_command UNIT KEY [VAR=VALUE...]: the command line of KEY into the
# array cmd.
unit_command() {
	local u=$1 key=$2
	shift 2
	mapfile -t -d '' cmd < <("$py" "$root/test/integration/unit_exec.py" \
		"$u" "$name" "$work/instance.env" "$key" "$@")
	[ ${#cmd[@]} -gt 0 ] || problem "$(basename "$u"): no $key"
}
caps=$("$py" "$root/test/integration/unit_exec.py" "$unit" "$name" \
	"$work/instance.env" CapabilityBoundingSet)
unit_command "$unit" ExecStartPre
"${cmd[@]}" >"$work/pre.out" 2>&1
want_rc $? 0 "ExecStartPre (${cmd[*]})"
unit_command "$unit" ExecStart
setpriv --bounding-set "$caps" --inh-caps -all -- "${cmd[@]}" \
	>"$work/op25b.out" 2>&1 &
op25b_pid=$!
pids+=("$op25b_pid")
wait_until 30 "$op25b_pid" test -S "/run/op25b/$name.sock" ||
	problem "no /run/op25b/$name.sock: op25b did not start" "$(tail -5 "$work/op25b.out")"
op25b-cli --name "$name" exempt add 198.18.5.9 ttl 1h reason package test \
	>"$work/cli.out" 2>&1
want_rc $? 0 "op25b-cli exempt add"
op25b-cli --name "$name" show version >"$work/version.out" 2>&1
want_has "$work/version.out" "op25b $pkg_version, DPDK"
[ -f "/var/lib/op25b/$name.exemptions" ] || problem "no /var/lib/op25b/$name.exemptions"
grep -qs "instance=$name" "/var/log/op25b/$name.audit.log" ||
	problem "no line in /var/log/op25b/$name.audit.log"
# ExecReload, as systemd runs it: op25b reloads its file over the control
# socket and answers; the exit status is its answer.
unit_command "$unit" ExecReload "MAINPID=$op25b_pid"
"${cmd[@]}" >"$work/reload.out" 2>&1
want_rc $? 0 "ExecReload (${cmd[*]})"
want_re "$work/reload.out" "generation 2"
grep -q "op25b-reload:" "$work/reload.out" &&
	problem "ExecReload of the unit's own file warned:" "$(cat "$work/reload.out")"
reloaded() { # N: reload_ok is N
	op25b-stat --name "$name" --json >"$work/stat.json" 2>/dev/null &&
		[ "$(field "$work/stat.json" 's["reload_ok"]')" = "$1" ]
}
reloaded 1 || problem "no reload_ok 1 after ExecReload:" "$(cat "$work/stat.json")"
# The file op25b reads is its own, not the unit's: after `policy reload
# FILE` it is FILE, and a FILE broken since fails ExecReload with op25b's
# file:line:column (the unit's OP25B_POLICY still checks clean).
cp /etc/op25b/op25b.yaml "$work/other.yaml"
op25b-cli --name "$name" policy reload "$work/other.yaml" >"$work/cli-reload.out" 2>&1
want_rc $? 0 "op25b-cli policy reload FILE"
printf 'version: 1\nsources: [\n' >"$work/other.yaml"
"${cmd[@]}" >"$work/reload-broken.out" 2>&1
want_rc $? 1 "ExecReload of a file broken since op25b loaded it"
want_re "$work/reload-broken.out" "other.yaml:[0-9]+:[0-9]+: "
# ... and it says that the unit names another file.
want_has "$work/reload-broken.out" "op25b-reload: op25b reloads $work/other.yaml, the file it runs; $name.env names /etc/op25b/op25b.yaml (OP25B_POLICY)"
reloaded 2 || problem "reload_ok is not 2:" "$(cat "$work/stat.json")"
# Without the control socket: the policy checked (a broken one fails with
# its file:line:column and sends nothing), then SIGHUP.
printf 'version: 1\nsources: [\n' >"$work/broken.yaml"
unit_command "$unit" ExecReload "OP25B_POLICY=$work/broken.yaml" "MAINPID=$op25b_pid"
"${cmd[0]}" "$name-nosocket" "$work/broken.yaml" "$op25b_pid" >"$work/reload-nosock.out" 2>&1
want_rc $? 1 "op25b-reload without a socket, a broken policy"
want_re "$work/reload-nosock.out" "broken.yaml:[0-9]+:[0-9]+: error: "
"${cmd[0]}" "$name-nosocket" /etc/op25b/op25b.yaml "$op25b_pid" >"$work/reload-sighup.out" 2>&1
want_rc $? 0 "op25b-reload without a socket: check, then SIGHUP"
# A socket file nothing listens on (left by an op25b killed earlier): the
# same fallback, said.
"$py" -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "/run/op25b/$name-stale.sock"
"${cmd[0]}" "$name-stale" /etc/op25b/op25b.yaml "$op25b_pid" >"$work/reload-stale.out" 2>&1
want_rc $? 0 "op25b-reload with a stale socket: check, then SIGHUP"
want_has "$work/reload-stale.out" "op25b-reload: no session on /run/op25b/$name-stale.sock: checking /etc/op25b/op25b.yaml, then SIGHUP"
rm -f "/run/op25b/$name-stale.sock"
# SIGHUP re-reads op25b's own file, other.yaml, broken: counted failed.
failed_three_times() { op25b-stat --name "$name" --json >"$work/stat.json" 2>/dev/null &&
	[ "$(field "$work/stat.json" 's["reload_failed"]')" = 3 ]; }
wait_until 20 "$op25b_pid" failed_three_times || problem "no reload_failed 3 after two SIGHUPs:" "$(cat "$work/stat.json")"
report "package: op25b runs from op25b@NAME's commands (bounding set $caps): pre-start helper, socket in /run/op25b, exemption and audit in /var/lib and /var/log, ExecReload through the socket with op25b's answer (a file broken since fails it), without the socket checked then SIGHUP"

logrotate -d /etc/logrotate.d/op25b >"$work/logrotate.out" 2>&1
want_rc $? 0 "logrotate -d"
want_has "$work/logrotate.out" "considering log /var/log/op25b/$name.audit.log"
report "package: logrotate takes /etc/logrotate.d/op25b and considers the audit log"

# Command words come from the instance: a command op25b learns needs no
# change to the completion.
. /usr/share/bash-completion/bash_completion
. /usr/share/bash-completion/completions/op25b-cli
complete_words() { # WORDS...: COMPREPLY for the last word
	COMP_WORDS=("$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE="${COMP_WORDS[*]}"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_op25b_cli op25b-cli "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
	printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' '
}
got=$(complete_words op25b-cli --name "${name%-*}-")
[[ " $got " == *" $name "* ]] || problem "--name ${name%-*}-: '$got', want $name among them"
got=$(complete_words op25b-cli --name "$name" "")
for w in clear exempt explain help policy quit set show; do
	[[ " $got " == *" $w "* ]] || problem "first word: '$got', want $w among them"
done
got=$(complete_words op25b-cli --name "$name" show counters "")
[ "$got" = "class group json " ] || problem "show counters: '$got', want 'class group json '"
got=$(complete_words op25b-cli --name "$name" set mode m)
[ "$got" = "monitor " ] || problem "set mode m: '$got', want 'monitor '"
report "package: bash completion of op25b-cli: instance names, command words from the running instance"

# --- op25b-stat as op25b-stat@NAME runs it: no privilege ------------------------
unit_command "$stat_unit" ExecStart
stat_caps=$("$py" "$root/test/integration/unit_exec.py" "$stat_unit" "$name" \
	"$work/instance.env" CapabilityBoundingSet)
setpriv --reuid 65534 --regid 65534 --clear-groups --no-new-privs \
	--bounding-set "$stat_caps" --inh-caps -all -- "${cmd[@]}" \
	>"$work/statd.out" 2>&1 &
stat_pid=$!
pids+=("$stat_pid")
metrics() { curl -sf -o "$work/metrics.txt" "http://127.0.0.1:$port/metrics"; }
wait_until 10 "$stat_pid" metrics || problem "GET /metrics failed" "$(cat "$work/statd.out")"
want_re "$work/metrics.txt" "^op25b_info\{name=\"$name\""
stop_process "$stat_pid" TERM 10
want_rc "$rc" 0 "op25b-stat --listen after SIGTERM (the unit's stop)"
report "package: op25b-stat runs from op25b-stat@NAME's command as nobody without capabilities, /metrics answers, SIGTERM stops it"

# --- every metric the rules and the dashboard name is exported ------------------
op25b-stat --name "$name" --prometheus >"$work/prometheus.txt"
want_rc $? 0 "op25b-stat --prometheus"
py_check '
import json, re, sys
import yaml
series = {}
for line in open(sys.argv[1]):
    m = re.match(r"(op25b_[a-z0-9_]+)(\{(.*)\})? ", line)
    if m:
        labels = dict(re.findall(r"([a-z_]+)=\"([^\"]*)\"", m.group(3) or ""))
        series.setdefault(m.group(1), []).append(labels)
# The expressions: every expr of the rules, every target of the dashboard.
exprs = []
for group in yaml.safe_load(open(sys.argv[2]))["groups"]:
    exprs += [(sys.argv[2], r["expr"]) for r in group["rules"]]
def walk(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k in ("expr", "definition") and isinstance(v, str):
                exprs.append((sys.argv[3], v))
            walk(v)
    elif isinstance(node, list):
        for v in node:
            walk(v)
walk(json.load(open(sys.argv[3])))
errors = []
named = {f: set() for f in sys.argv[2:4]}
# Any op25b_ name anywhere in the files (descriptions too) must exist.
for f in sys.argv[2:4]:
    for n in re.findall(r"\bop25b_[a-z][a-z0-9_]*", open(f).read()):
        named[f].add(n)
        if n not in series:
            errors.append(f"{f}: {n}: op25b-stat exports no such metric")
# A selector must match series: label names, and the values of = and =~
# (alternatives of plain words) that are not Grafana variables.
for f, e in exprs:
    for n, sel in re.findall(r"\b(op25b_[a-z0-9_]+)\{([^}]*)\}", e):
        for label, op, value in re.findall(r"([a-z_]+)\s*(=~|!=|!~|=)\s*\"([^\"]*)\"", sel):
            if label in ("job", "instance") or "$" in value or n not in series:
                continue
            have = {s.get(label) for s in series[n]}
            if None in have and len(have) == 1:
                errors.append(f"{f}: {n} has no label {label}")
            elif op in ("=", "=~") and re.fullmatch(r"[a-z_|]+", value):
                for v in value.split("|"):
                    if v not in have:
                        errors.append(f"{f}: {n}{{{label}=\"{v}\"}}: no such series (values: {sorted(x for x in have if x)})")
for f, names in named.items():
    if len(names) < 5:
        errors.append(f"{f}: only {len(names)} op25b_ metric names found")
if errors:
    sys.exit("\n".join(errors))
' "$work/prometheus.txt" "$rules" "$dashboard"
n_rules=$(grep -oE '\bop25b_[a-z][a-z0-9_]*' "$rules" | sort -u | wc -l)
n_dash=$(grep -oE '\bop25b_[a-z][a-z0-9_]*' "$dashboard" | sort -u | wc -l)
report "package: the $n_rules metrics of the rules and the $n_dash of the dashboard are exported by a running op25b (op25b-stat --prometheus), their label values too"

if [ "$(cat /proc/1/comm)" = systemd ]; then
	echo "ok package: systemctl start op25b@NAME # SKIP the commands above ran as the unit runs them; starting the real unit needs NICs or vdevs in /etc/op25b"
else
	echo "ok package: systemctl start op25b@NAME # SKIP PID 1 is $(cat /proc/1/comm), not systemd; the units' commands ran above as systemd would run them"
fi

stop_process "$op25b_pid" TERM 30
want_rc "$rc" 0 "op25b after SIGTERM (the unit's stop)"
report "package: op25b stops on SIGTERM with status 0"

# --- remove, purge ---------------------------------------------------------------
# An op25b-xdp instance, loaded as an operator loads one (the system's
# bpffs), on a veth of a namespace of our own (nsenter keeps this mount
# namespace, so its bpffs): remove takes it off there and removes its
# pins, rather than leave it filtering with no op25b-xdp left.
xdp_ns="op25b-pkg-$$" xdp_name="op25b-pkg-$$"
xdp_loaded=""
# No bpffs at /sys/fs/bpf (a container, a minimal system): the load
# mounts one, as it does for an operator, and the cleanup unmounts it.
[ "$(stat -f -c %T /sys/fs/bpf 2>/dev/null)" = bpf_fs ] || xdp_mounted=1
if [ ! -d /sys/fs/bpf ]; then
	echo "ok package: apt-get remove unloads op25b-xdp's instances # SKIP no /sys/fs/bpf"
elif [ -n "$(ls -A /sys/fs/bpf/op25b 2>/dev/null)" ]; then
	# The removal would unload them too: not this test's to take.
	echo "ok package: apt-get remove unloads op25b-xdp's instances # SKIP other op25b-xdp instances are loaded here: $(ls /sys/fs/bpf/op25b | head -3)"
elif ! netns_add "$xdp_ns"; then
	echo "ok package: apt-get remove unloads op25b-xdp's instances # SKIP $netns_err"
else
	[ -d /sys/fs/bpf/op25b ] || xdp_made_root=1
	veth "$xdp_ns:l0" "$xdp_ns:l1" || problem "veth failed"
	nsenter --net="/run/netns/$xdp_ns" /usr/bin/op25b-xdp load l0 --mode generic \
		--name "$xdp_name" --policy /etc/op25b/op25b.yaml >"$work/xdp-load.log" 2>&1
	rc=$?
	want_rc $rc 0 "op25b-xdp load on a veth of our own"
	[ $rc = 0 ] && xdp_loaded=1 || problem "$(cat "$work/xdp-load.log")"
	report "package: op25b-xdp loads the default policy on an interface (generic XDP)"
fi
apt remove op25b >"$work/remove.log" 2>&1
want_rc $? 0 "apt-get remove"
for t in "${tools[@]}"; do
	[ ! -e "$t" ] || problem "$t still there after remove"
done
[ -f /etc/op25b/op25b.yaml ] || problem "/etc/op25b/op25b.yaml gone after remove (a conffile stays)"
dpkg-query -W -f='${Status}' op25b >"$work/status" 2>&1
want_has "$work/status" "deinstall ok config-files"
report "package: apt-get remove: programs gone, /etc/op25b/op25b.yaml kept"
if [ -n "$xdp_loaded" ]; then
	want_has "$work/remove.log" "op25b-xdp: $xdp_name: attached to l0 in the network namespace of /run/netns/$xdp_ns: taken off there"
	ip -n "$xdp_ns" link show l0 >"$work/xdp-l0.txt" 2>&1 ||
		problem "l0 is gone:" "$(cat "$work/xdp-l0.txt")"
	grep -q xdp "$work/xdp-l0.txt" &&
		problem "the op25b-xdp program is still on l0 after remove"
	[ ! -e "/sys/fs/bpf/op25b/$xdp_name" ] || problem "its pins are still there after remove"
	report "package: apt-get remove unloads op25b-xdp's instances (one in a network namespace of its own)"
	# Left by a failure: off, then its pins.
	ip -n "$xdp_ns" link set l0 xdpgeneric off 2>/dev/null
	rm -rf "/sys/fs/bpf/op25b/$xdp_name"
fi

# An instance as README's steps make one: its env file and the links of
# `systemctl enable op25b@NAME op25b-stat@NAME` (made by hand: no systemd
# needed). Purge removes them with the rest.
cp "$work/instance.env" "/etc/op25b/$name.env"
wants=/etc/systemd/system/multi-user.target.wants
mkdir -p "$wants"
ln -sf /lib/systemd/system/op25b@.service "$wants/op25b@$name.service"
ln -sf /lib/systemd/system/op25b-stat@.service "$wants/op25b-stat@$name.service"
apt purge op25b >"$work/purge.log" 2>&1
want_rc $? 0 "apt-get purge"
if dpkg-query -W -f='${Status}' op25b >"$work/status" 2>/dev/null &&
	! grep -q "not-installed" "$work/status"; then
	problem "dpkg still knows op25b: $(cat "$work/status")"
fi
while read -r f; do
	[ ! -e "/$f" ] || problem "/$f still there after purge"
done < <(sed 's#^/##' "$work/deb.files")
for d in "${shared_dirs[@]}"; do
	[ ! -e "$d" ] || problem "$d still there after purge"
done
[ ! -e "/run/op25b/$name.sock" ] || problem "/run/op25b/$name.sock still there"
for l in "$wants/op25b@$name.service" "$wants/op25b-stat@$name.service"; do
	[ ! -L "$l" ] || problem "$l still there after purge"
done
report "package: apt-get purge: nothing left (files, /etc/op25b with an instance's env file, enable links, exemptions, logs)"
installed=""
restore_dirs
exit $status

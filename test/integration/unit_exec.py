#!/usr/bin/python3
"""What systemd would run for a unit, where systemd is not PID 1.

Usage: unit_exec.py UNIT-FILE INSTANCE ENV-FILE KEY [VAR=VALUE...]

KEY ExecStartPre, ExecStart or ExecReload: the command line of that key,
its words NUL-terminated (a unit with more than one is refused); KEY#N
the Nth of the key's lines (1-based), which systemd runs in their order.
KEY CapabilityBoundingSet: the set as setpriv's --bounding-set argument
("-all,+ipc_lock,..."; "-all" for an empty set).

ENV-FILE stands for the unit's EnvironmentFile= (whatever path the unit
names); VAR=VALUE sets variables systemd would (MAINPID). The expansion
follows systemd.service(5): %i is the instance; "${VAR}" becomes the value
within its word, a word that is exactly "$VAR" becomes the value split on
white space (none when empty); the prefixes "+-@:!" are dropped. Only what
op25b's units use is supported: anything else is an error, not a guess.
"""
import re
import shlex
import sys


def service_section(path):
    entries = []
    section = None
    for line in open(path):
        line = line.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("["):
            section = line
            continue
        if section == "[Service]":
            key, _, value = line.partition("=")
            entries.append((key.strip(), value.strip()))
    return entries


def env_file(path):
    env = {}
    for line in open(path):
        line = line.strip()
        if not line or line[0] in "#;":
            continue
        key, sep, value = line.partition("=")
        if not sep:
            sys.exit(f"{path}: not VAR=VALUE: {line}")
        env[key.strip()] = value.strip()
    return env


def expand(line, instance, env):
    line = line.replace("%i", instance)
    if "%" in line:
        sys.exit(f"unsupported specifier in: {line}")
    while line and line[0] in "+-@:!":
        line = line[1:]
    argv = []
    for word in shlex.split(line):
        whole = re.fullmatch(r"\$([A-Za-z_][A-Za-z0-9_]*)", word)
        if whole:
            argv += env.get(whole.group(1), "").split()
            continue
        argv.append(re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}",
                           lambda m: env.get(m.group(1), ""), word))
    return argv


def main():
    unit, instance, envfile, key = sys.argv[1:5]
    env = {}
    entries = service_section(unit)
    # systemd: Environment= first, EnvironmentFile= overrides it.
    for k, v in entries:
        if k == "Environment":
            for assignment in shlex.split(v):
                name, _, value = assignment.partition("=")
                env[name] = value
    for k, v in entries:
        if k == "EnvironmentFile":
            env.update(env_file(envfile))
    for assignment in sys.argv[5:]:
        name, _, value = assignment.partition("=")
        env[name] = value
    key, _, nth = key.partition("#")
    lines = [v for k, v in entries if k == key]
    if nth:
        if not 1 <= int(nth) <= len(lines):
            sys.exit(f"{unit}: {len(lines)} {key}= lines, no {nth}th")
        lines = [lines[int(nth) - 1]]
    if key == "CapabilityBoundingSet":
        caps = " ".join(lines).split()
        print(",".join(["-all"] + ["+" + c.lower().removeprefix("cap_")
                                   for c in caps]))
        return
    if len(lines) != 1:
        sys.exit(f"{unit}: {len(lines)} {key}= lines, want one")
    sys.stdout.write("".join(w + "\0" for w in expand(lines[0], instance, env)))


main()

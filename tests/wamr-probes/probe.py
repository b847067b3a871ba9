#!/usr/bin/env python3
"""Builds the WAMR probe modules and runs them on each iwasm of scripts/wamr-fleet.sh.

    tests/wamr-probes/probe.py build [OUTDIR]          # NAME.wasm for every probe
    tests/wamr-probes/probe.py run [--json F] [--md F] [--only P,Q] [--cmake-args ARGS] [VERSION...]

`build` translates every NAME.wat here with watc (tests/wamr-probes/watc, the `wat` crate, built
with cargo into the cache), strips the custom sections wat adds (the `name` section) so that each
probe tests one feature, and derives byte-level variants that text cannot express: padded
(overlong) LEB immediates as wasm-ld writes them, a big data segment, DWARF and other custom
sections. `run` builds (or reuses) every iwasm through scripts/wamr-fleet.sh, runs every probe on
each, and prints a feature x release table (markdown) plus, with --json, every raw result.
--cmake-args runs them on NON-default builds instead (WAMR_FLEET_CMAKE_ARGS of wamr-fleet.sh, e.g.
"-DWAMR_BUILD_REF_TYPES=1"), to check which option enables a feature; --only limits the probes.

Each probe states its expectation in a `;; expect:` line:
  ok                 stdout "ok\\n" and exit status 0 (a failed check exits 10+n without output)
  exit=N [stdout=S]  exit status N (and stdout "S\\n")
  trap | fail-at-call | args   recorded as observed (exit/trap behaviour, argv, environment)
"""
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CACHE = os.environ.get("WASIP2_ON_WASIP1_CACHE", os.path.expanduser("~/.cache/wasip2-on-wasip1"))


# ---------------------------------------------------------------- wasm binary helpers
def uleb(n, width=None):
    """Unsigned LEB128; with `width`, padded to exactly that many bytes (as wasm-ld writes)."""
    out = []
    while True:
        b = n & 0x7F
        n >>= 7
        if n == 0 and (width is None or len(out) + 1 >= width):
            out.append(b)
            break
        out.append(b | 0x80)
    if width is not None and len(out) != width:
        raise ValueError("value does not fit in %d bytes" % width)
    return bytes(out)


def read_uleb(b, i):
    n = shift = 0
    while True:
        x = b[i]
        i += 1
        n |= (x & 0x7F) << shift
        shift += 7
        if not x & 0x80:
            return n, i


def sections(wasm):
    assert wasm[:8] == b"\0asm\1\0\0\0", "not a wasm module"
    i, out = 8, []
    while i < len(wasm):
        sid = wasm[i]
        size, j = read_uleb(wasm, i + 1)
        out.append([sid, wasm[j:j + size]])
        i = j + size
    return out


def assemble(secs):
    return b"\0asm\1\0\0\0" + b"".join(bytes([sid]) + uleb(len(p)) + p for sid, p in secs)


def custom(name, payload):
    n = name.encode()
    return [0, uleb(len(n)) + n + payload]


def strip_custom(wasm):
    return assemble([s for s in sections(wasm) if s[0] != 0])


def patch_code(wasm, patches):
    """Replaces byte sequences inside function bodies (re-encoding the body and section sizes).
    patches: [(old_hex, new_hex, expected_count)]; a count mismatch is an error, so a probe
    whose encoding changed is noticed instead of silently not patched."""
    secs = sections(wasm)
    code = next(s for s in secs if s[0] == 10)
    p = code[1]
    n, i = read_uleb(p, 0)
    bodies = []
    for _ in range(n):
        size, j = read_uleb(p, i)
        bodies.append(p[j:j + size])
        i = j + size
    for old, new, count in patches:
        old, new = bytes.fromhex(old), bytes.fromhex(new)
        found = sum(b.count(old) for b in bodies)
        if found != count:
            raise SystemExit("patch %s: found %d times, expected %d" % (old.hex(), found, count))
        bodies = [b.replace(old, new) for b in bodies]
    code[1] = uleb(len(bodies)) + b"".join(uleb(len(b)) + b for b in bodies)
    return assemble(secs)


PAD0 = "8080808000"  # 0 as a 5-byte LEB: what wasm-ld leaves for a relocated index


def pad(n):
    return uleb(n, 5).hex()


# ---------------------------------------------------------------- probes
def expectation(text):
    m = re.search(r"^;; expect: (\S+(?: \S+=\S+)*)", text, re.M)
    return m.group(1) if m else "ok"


def watc():
    exe = os.environ.get("WATC")
    if exe:
        return exe
    target = os.path.join(CACHE, "watc-target")
    subprocess.run(["cargo", "build", "--quiet", "--release", "--locked", "--manifest-path",
                    os.path.join(HERE, "watc", "Cargo.toml"), "--target-dir", target], check=True)
    return os.path.join(target, "release", "watc")


def compile_wat(tool, text, tmpdir, name):
    src = os.path.join(tmpdir, name + ".wat")
    out = os.path.join(tmpdir, name + ".wasm")
    with open(src, "w") as f:
        f.write(text)
    r = subprocess.run([tool, src, out], capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit("watc %s: %s" % (name, r.stderr.strip()))
    with open(out, "rb") as f:
        return f.read()


def fake_dwarf(seed, size):
    """Deterministic bytes standing for DWARF: runtimes must skip .debug_* sections unread."""
    out, h = b"", seed.encode()
    while len(out) < size:
        h = hashlib.sha256(h).digest()
        out += h
    return out[:size]


def build(outdir):
    """Returns {name: (path, expectation, description)} for every probe and variant."""
    os.makedirs(outdir, exist_ok=True)
    tool = watc()
    probes, base = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        for fn in sorted(os.listdir(HERE)):
            if not fn.endswith(".wat"):
                continue
            name = fn[:-4]
            with open(os.path.join(HERE, fn)) as f:
                text = f.read()
            desc = text.splitlines()[0].lstrip("; ").strip()
            if "@BIG@" in text:
                text = text.replace("@BIG@", "a" + "m" * (196608 - 2) + "z")
            raw = compile_wat(tool, text, tmp, name)
            base[name] = raw
            probes[name] = (strip_custom(raw), expectation(text), desc)

    def variant(name, wasm, desc, expect="ok"):
        probes[name] = (wasm, expect, desc)

    ci = probes["call_indirect"][0]
    # call_indirect (type 0) with table index 0: the MVP byte 00, then padded as wasm-ld does.
    variant("call_indirect_padded_table", patch_code(ci, [("41011100" "00", "41011100" + PAD0, 1),
                                                          ("41001100" "00", "41001100" + PAD0, 1)]),
            "call_indirect, table-index immediate 0 as the 5-byte LEB 80 80 80 80 00")
    variant("call_indirect_padded_table2", patch_code(ci, [("4101110000", "410111008000", 1),
                                                           ("4100110000", "410011008000", 1)]),
            "call_indirect, table-index immediate 0 as the 2-byte LEB 80 00")
    variant("call_indirect_padded_type", patch_code(ci, [("4101110000", "410111" + PAD0 + "00", 1),
                                                         ("4100110000", "410011" + PAD0 + "00", 1)]),
            "call_indirect, type-index immediate 0 padded to 5 bytes (table index the byte 00)")
    bl = probes["baseline"][0]
    # baseline: fd_write=0 proc_exit=1 $ok=2 _start=3; _start is `call 2; end`.
    variant("call_padded", patch_code(bl, [("10020b", "10" + pad(2) + "0b", 1)]),
            "call with the function index padded to 5 bytes")
    variant("i32_const_padded", patch_code(bl, [("41c000", "41c0808080" "00", 1)]),
            "i32.const 64 as a 5-byte SLEB (a relocated memory address)")
    variant("memarg_offset_padded", patch_code(bl, [("360200", "3602" + PAD0, 2)]),
            "i32.store with its memarg offset 0 padded to 5 bytes")
    mg = probes["memory_grow"][0]
    variant("memory_size_padded", patch_code(mg, [("3f00", "3f" + PAD0, 1)]),
            "memory.size with the memory index 0 padded to 5 bytes")
    variant("memory_grow_padded", patch_code(mg, [("41204000", "412040" + PAD0, 1)]),
            "memory.grow with the memory index 0 padded to 5 bytes")
    variant("memory_copy_padded", patch_code(probes["memory_copy"][0],
                                             [("fc0a0000", "fc0a" + PAD0 + PAD0, 1)]),
            "memory.copy with both memory indices padded to 5 bytes")
    variant("memory_fill_padded", patch_code(probes["memory_fill"][0],
                                             [("fc0b00", "fc0b" + PAD0, 1)]),
            "memory.fill with the memory index padded to 5 bytes")
    variant("memory_init_padded", patch_code(probes["memory_init"][0],
                                             [("fc080100", "fc0801" + PAD0, 1)]),
            "memory.init with the memory index padded to 5 bytes")
    variant("global_get_padded", patch_code(probes["mutable_global_export"][0],
                                            [("2300", "23" + PAD0, 2), ("2400", "24" + PAD0, 1)]),
            "global.get/global.set with the global index padded to 5 bytes")
    variant("table_get_padded", patch_code(probes["table_ops"][0], [("2500", "25" + PAD0, 1)]),
            "table.get with the table index padded to 5 bytes")

    # Custom sections, which a runtime must skip.
    variant("custom_name", base["baseline"], "the `name` custom section (function and local names) wat emits")
    secs = sections(probes["baseline"][0])
    dwarf = [custom(n, fake_dwarf(n, size)) for n, size in
             ((".debug_abbrev", 4096), (".debug_info", 262144), (".debug_str", 65536),
              (".debug_line", 131072), (".debug_ranges", 4096), (".debug_loc", 8192))]
    variant("custom_dwarf", assemble(secs + dwarf),
            "six DWARF .debug_* custom sections (about 470 KiB) after the code")
    prod = custom("producers", b"\x01" + uleb(12) + b"processed-by" + b"\x01" + uleb(5) + b"rustc"
                  + uleb(6) + b"1.95.0")
    feat = custom("target_features", b"\x02" + b"+" + uleb(15) + b"reference-types"
                  + b"+" + uleb(9) + b"multivalue")
    variant("custom_producers_features", assemble(secs + [prod, feat]),
            "`producers` and `target_features` custom sections (as rustc/clang emit)")
    variant("custom_first", assemble([custom("early", b"x" * 100)] + secs),
            "a custom section before the type section")

    out = {}
    for name, (wasm, expect, desc) in sorted(probes.items()):
        path = os.path.join(outdir, name + ".wasm")
        with open(path, "wb") as f:
            f.write(wasm)
        # watc passes a binary through and validates it: every variant must be a valid module.
        with tempfile.TemporaryDirectory() as tmp:
            r = subprocess.run([tool, path, os.path.join(tmp, "x.wasm")], capture_output=True, text=True)
        if r.returncode != 0:
            raise SystemExit("probe %s is not a valid module: %s" % (name, r.stderr.strip()))
        out[name] = (path, expect, desc)
    return out


# ---------------------------------------------------------------- running
def fleet(versions, cmake_args=None):
    env = dict(os.environ)
    if cmake_args is not None:
        env["WAMR_FLEET_CMAKE_ARGS"] = cmake_args
    r = subprocess.run([os.path.join(ROOT, "scripts", "wamr-fleet.sh")] + versions,
                       stdout=subprocess.PIPE, check=True, text=True, env=env)
    return [tuple(l.split(" ", 1)) for l in r.stdout.splitlines() if l.strip()]


def run_one(iwasm, path, args=(), opts=()):
    try:
        r = subprocess.run([iwasm] + list(opts) + [path] + list(args), capture_output=True,
                           timeout=60)
        return {"rc": r.returncode, "stdout": r.stdout.decode(errors="replace"),
                "stderr": r.stderr.decode(errors="replace")}
    except subprocess.TimeoutExpired:
        return {"rc": None, "stdout": "", "stderr": "timeout after 60 s"}


def classify(expect, res):
    """-> (verdict, short text): run = loads and runs correctly."""
    text = (res["stdout"] + res["stderr"]).strip()
    out = res["stdout"]
    if res["rc"] is None:
        return "timeout", "timeout"
    for key, verdict in (("load failed", "load"), ("instantiate failed", "inst")):
        if key in text:
            msg = [l for l in text.splitlines() if key in l][0]
            return verdict, msg
    if expect == "ok":
        if res["rc"] == 0 and out == "ok\n":
            return "run", ""
        # WAMR's own log lines ("[hh:mm:ss:ms - thread]: warning: ...") go to stdout too.
        logs = [l for l in out.splitlines() if LOG_LINE.match(l)]
        rest = [l for l in out.splitlines() if l and not LOG_LINE.match(l)]
        if res["rc"] == 0 and rest == ["ok"] and logs:
            return "warn", " / ".join(LOG_LINE.sub("", l) for l in logs)
        return "wrong", "exit %s, output %r" % (res["rc"], text[-200:])
    m = re.match(r"exit=(\d+)(?: stdout=(\S+))?$", expect)
    if m:
        want_out = (m.group(2) + "\n") if m.group(2) else ""
        if res["rc"] == int(m.group(1)) and out == want_out:
            return "run", ""
        return "wrong", "exit %s, output %r" % (res["rc"], text[-200:])
    return "info", "exit %s, stdout %r, stderr %r" % (res["rc"], res["stdout"][-300:], res["stderr"][-300:])


LOG_LINE = re.compile(r"^\[\d+:\d+:\d+:\d+ - [0-9A-Fa-f]+\]: ")

MARK = {"run": "runs", "warn": "runs, log line on stdout", "load": "LOAD FAIL", "inst": "INSTANTIATE FAIL", "wrong": "loads, WRONG",
        "timeout": "TIMEOUT", "info": "see text"}


def main():
    argv = sys.argv[1:]
    if not argv or argv[0] not in ("build", "run"):
        print(__doc__)
        sys.exit(2)
    if argv[0] == "build":
        outdir = argv[1] if len(argv) > 1 else os.path.join(CACHE, "wamr-probes")
        for name, (path, expect, _) in build(outdir).items():
            print(name, expect, path)
        return
    js = md = only = cmake_args = None
    rest = []
    it = iter(argv[1:])
    for a in it:
        if a == "--json":
            js = next(it)
        elif a == "--md":
            md = next(it)
        elif a == "--only":
            only = next(it).split(",")
        elif a == "--cmake-args":
            cmake_args = next(it)
        else:
            rest.append(a)
    probes = build(os.path.join(CACHE, "wamr-probes"))
    if only:
        unknown = [n for n in only if n not in probes]
        if unknown:
            raise SystemExit("unknown probe(s): " + ", ".join(unknown))
        probes = {n: probes[n] for n in only}
    results = {}
    for ver, iwasm in fleet(rest, cmake_args):
        rv = results[ver] = {}
        for name, (path, expect, desc) in probes.items():
            if name == "args":
                res = run_one(iwasm, path, ["x", "y z"], ["--env=FOO=bar"])
            else:
                res = run_one(iwasm, path)
            verdict, msg = classify(expect, res)
            rv[name] = dict(res, verdict=verdict, msg=msg, expect=expect)
        print("probed", ver, file=sys.stderr)
    vers = list(results)
    lines = ["| probe | " + " | ".join(vers) + " |", "|---|" + "---|" * len(vers)]
    for name in probes:
        cells = []
        for v in vers:
            r = results[v][name]
            cells.append(MARK[r["verdict"]] + (": " + r["msg"].replace("|", "\\|").replace("\n", " ")
                                                if r["msg"] else ""))
        lines.append("| %s | %s |" % (name, " | ".join(cells)))
    table = "\n".join(lines) + "\n"
    sys.stdout.write(table)
    if md:
        with open(md, "w") as f:
            f.write(table)
    if js:
        with open(js, "w") as f:
            json.dump({"cmake_args": cmake_args or "", "probes": {n: {"expect": e, "desc": d} for n, (_, e, d) in probes.items()},
                       "results": results}, f, indent=1)


if __name__ == "__main__":
    main()

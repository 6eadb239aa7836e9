#!/usr/bin/env python3
"""mtjson-tl's command line: encode/decode lines, info, and its errors."""
import subprocess
import sys

TL = sys.argv[1]
failures = 0
passed = 0


def run(args, stdin=""):
    p = subprocess.run([TL] + args, input=stdin, capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


def check(name, cond, detail=""):
    global failures, passed
    if cond:
        passed += 1
    else:
        failures += 1
        print(f"FAIL {name}: {detail}")


rc, out, err = run(["--help"])
check("help", rc == 0 and "mtjson-tl encode" in out and "--boxed" in out, out)

lines = '{"_cons":"help.getConfig"}\n{"_cons":"nope"}\nnot json\n{"_cons":"boolTrue"}\n'
rc, out, err = run(["encode"], lines)
check("encode rc", rc == 1, rc)
check("encode lines aligned", out.split("\n") == ["6b18f9c4", "", "", "b5757299", ""], out)
check("encode errors", "line 2: unknown constructor or method 'nope'" in err and "line 3: invalid JSON" in err, err)

rc, out, err = run(["decode"], "6b18f9c4\nb5757299\nzz\ndeadbeef\n")
check("decode rc", rc == 1, rc)
check("decode out", out.split("\n") == ['{"_cons":"help.getConfig"}', '{"_cons":"boolTrue"}', "", "", ""], out)
check("decode errors", "line 3: invalid hex character 'z' at column 1" in err
      and "line 4: unknown constructor id 0xefbeadde at offset 0" in err, err)

rc, out, err = run(["decode", "--boxed", "Vector<long>"], "15c4b51c0100000005000000000000000\n15c4b51c010000000500000000000000\n")
check("decode boxed vector", out.split("\n")[1] == "[5]" and "odd number of hex digits" in err, out + err)
rc, out, err = run(["decode", "--boxed", "Bool"], "b5757299\n")
check("decode Bool", out == "true\n", out)
rc, out, err = run(["decode", "--bare", "int128"], "000102030405060708090a0b0c0d0e0f\n")
check("decode bare int128", out == '"AAECAwQFBgcICQoLDA0ODw=="\n', out)
rc, out, err = run(["encode", "--bare", "inputPeerUser"], '{"user_id":1,"access_hash":2}\n')
check("encode bare", out == "01000000000000000200000000000000\n", out + err)
rc, out, err = run(["decode", "--longs-as-strings"], "4ca5e8dd01000000000000000200000000000000\n")
check("longs as strings", out == '{"_cons":"inputPeerUser","user_id":"1","access_hash":"2"}\n', out + err)

rc, out, err = run(["info", "messages.sendMessage"])
check("info name", rc == 0 and out.startswith("messages.sendMessage#fef48f62 flags:#") and "returns Updates" in out, out)
rc, out, err = run(["info", "#fef48f62"])
check("info id", rc == 0 and "messages.sendMessage#fef48f62" in out, out)
rc, out, err = run(["info", "--layer"])
check("info layer", out == "228\n", out)
schema = subprocess.os.environ.get("MTJSON_SOURCE_ROOT", ".")
rc, out, err = run(["info", "--layer", "--schema", schema + "/tl/api-144.tl", "--schema", schema + "/tl/mtproto.tl"])
check("info layer 144", out == "144\n", out + err)
rc, out, err = run(["info", "InputPeer"])
check("info type", "type InputPeer: 7 constructor(s)" in out, out)
rc, out, err = run(["info", "nothing"])
check("info missing", rc == 1 and "'nothing' is not in the loaded schema" in err, err)

rc, out, err = run(["frobnicate"])
check("bad command", rc == 2 and "unknown command 'frobnicate'" in err, err)
rc, out, err = run(["encode", "--schema", "/nonexistent.tl"])
check("bad schema", rc == 2 and "/nonexistent.tl: cannot open schema file" in err, err)
rc, out, err = run(["encode", "--boxed", "Nope"])
check("bad type", rc == 2 and "type 'Nope': unknown type 'Nope'" in err, err)
rc, out, err = run(["encode", "--wat"])
check("bad option", rc == 2 and "unknown option '--wat' for encode" in err, err)

print(f"{passed} passed, {failures} failed")
sys.exit(1 if failures else 0)

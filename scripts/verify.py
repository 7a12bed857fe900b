#!/usr/bin/env python3
"""Checks DiceRoller rolls against the provable-fairness scheme of docs/fairness.md, trusting nothing but the math.

    python3 scripts/verify.py https://dice.example.org/roll/ROLL_ID    # a permalink page or /api/permalink/ URL
    python3 scripts/verify.py room-log.json                           # a saved /rooms/CODE/log.json
    python3 scripts/verify.py log-page-1.json log-page-2.json         # its pages (over 500 rolls), in any order
    python3 scripts/verify.py permalink.json --key key.json           # a saved permalink (+ the published key)
    python3 scripts/verify.py --self-test                             # the test vectors of docs/fairness.md

Recomputes per roll: the commitment from a revealed seed, every die from the HMAC-SHA256 stream (each die's faces
from its term's notation, terms left to right, rejection of biased values), the total from the terms, the hash line
and its SHA-256, the chain to the previous roll, each member's nonces, and the Ed25519 signature (RFC 8032, written
out below: the standard library has none). Prints one line per check, PASS / FAIL / PENDING, and exits 0 only when
nothing failed (1 when a check failed, 2 when the input could not be read).

Python 3.11+, standard library only.
"""
import argparse
import base64
import hashlib
import hmac
import json
import re
import struct
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

GENESIS = "0" * 64
HEX64 = re.compile(r"^[0-9a-f]{64}$")
CLIENT_SEED = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
ROLL_ID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")

# --- Ed25519 verification (RFC 8032, section 5.1) ------------------------------------------------------------
P = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493
D = -121665 * pow(121666, P - 2, P) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)


def _add(a, b):
    """Adds two points in extended coordinates (X, Y, Z, T), x = X/Z, y = Y/Z, xy = T/Z."""
    x1, y1, z1, t1 = a
    x2, y2, z2, t2 = b
    aa = (y1 - x1) * (y2 - x2) % P
    bb = (y1 + x1) * (y2 + x2) % P
    cc = 2 * t1 * t2 * D % P
    dd = 2 * z1 * z2 % P
    e, f, g, h = bb - aa, dd - cc, dd + cc, bb + aa
    return (e * f % P, g * h % P, f * g % P, e * h % P)


def _mul(scalar, point):
    result = (0, 1, 1, 0)
    while scalar > 0:
        if scalar & 1:
            result = _add(result, point)
        point = _add(point, point)
        scalar >>= 1
    return result


def _equal(a, b):
    return (a[0] * b[2] - b[0] * a[2]) % P == 0 and (a[1] * b[2] - b[1] * a[2]) % P == 0


def _recover_x(y, sign):
    if y >= P:
        return None
    x2 = (y * y - 1) * pow(D * y * y + 1, P - 2, P) % P
    if x2 == 0:
        return None if sign else 0
    x = pow(x2, (P + 3) // 8, P)
    if (x * x - x2) % P != 0:
        x = x * SQRT_M1 % P
    if (x * x - x2) % P != 0:
        return None
    return P - x if (x & 1) != sign else x


def _decompress(data):
    if len(data) != 32:
        return None
    y = int.from_bytes(data, "little")
    sign = y >> 255
    y &= (1 << 255) - 1
    x = _recover_x(y, sign)
    return None if x is None else (x, y, 1, x * y % P)


def _compress(point):
    zinv = pow(point[2], P - 2, P)
    x, y = point[0] * zinv % P, point[1] * zinv % P
    return int.to_bytes(y | ((x & 1) << 255), 32, "little")


_BY = 4 * pow(5, P - 2, P) % P
BASE = (_recover_x(_BY, 0), _BY, 1, _recover_x(_BY, 0) * _BY % P)


def ed25519_public_key(secret):
    """The public key of a 32-byte secret (seed): used by the self-test only."""
    h = hashlib.sha512(secret).digest()
    a = int.from_bytes(h[:32], "little") & ((1 << 254) - 8) | (1 << 254)
    return _compress(_mul(a, BASE))


def ed25519_verify(public, message, signature):
    """True when signature (64 bytes) is a valid Ed25519 signature of message by public (32 bytes)."""
    if len(public) != 32 or len(signature) != 64:
        return False
    a = _decompress(public)
    r = _decompress(signature[:32])
    s = int.from_bytes(signature[32:], "little")
    if a is None or r is None or s >= L:
        return False
    k = int.from_bytes(hashlib.sha512(signature[:32] + public + message).digest(), "little") % L
    return _equal(_mul(s, BASE), _add(r, _mul(k, a)))


# --- The draw stream -------------------------------------------------------------------------------------------
class Stream:
    """The 32-bit values of HMAC-SHA256(server_seed, "{client_seed}:{nonce}:{block}"), eight per block, big-endian."""

    def __init__(self, seed, client_seed, nonce):
        self.seed, self.prefix = seed, f"{client_seed}:{nonce}:"
        self.values, self.block, self.used = [], 0, 0

    def next_value(self):
        if not self.values:
            digest = hmac.digest(self.seed, f"{self.prefix}{self.block}".encode(), hashlib.sha256)
            self.values = list(struct.unpack(">8I", digest))
            self.block += 1
        self.used += 1
        return self.values.pop(0)

    def die(self, faces):
        limit = 2**32 - (2**32 % faces)
        while True:
            v = self.next_value()
            if v < limit:
                return v % faces + 1


TERM = re.compile(r"^(-?)(\d+)d(\d+|F)(.*)$")
KEEP = re.compile(r"(kh|kl|dh|dl)(\d+)")


def term_faces(notation):
    """(faces, offset, negative, rest) of a dice term's notation; Fudge dice are 3 faces read as face - 2."""
    m = TERM.match(notation)
    if not m:
        return None
    fudge = m.group(3) == "F"
    return (3 if fudge else int(m.group(3)), -2 if fudge else 0, m.group(1) == "-", m.group(4))


# --- Checks ------------------------------------------------------------------------------------------------------
class Report:
    def __init__(self, out=sys.stdout):
        self.out, self.counts = out, {"PASS": 0, "FAIL": 0, "PENDING": 0}

    def add(self, status, subject, check, message):
        self.counts[status] += 1
        print(f"{status} {subject} {check}: {message}", file=self.out)


def subject_of(roll):
    f = roll.get("fairness") or {}
    return f"roll #{f['sequence']} ({roll.get('roll_id')})" if "sequence" in f else f"roll {roll.get('roll_id')}"


def check_key(report, key):
    if not isinstance(key, dict):
        report.add("FAIL", "log", "key", 'no key given: the log\'s "key" object (algorithm, key_id, public_key) is missing')
        return None
    try:
        public = base64.b64decode(key.get("public_key") or "", validate=True)
    except ValueError:
        public = b""
    if len(public) != 32:
        report.add("FAIL", "log", "key", "public_key is not the base64 of a 32-byte Ed25519 key")
        return None
    if key.get("algorithm") != "Ed25519":
        report.add("FAIL", "log", "key", f"algorithm is {key.get('algorithm')!r}, expected Ed25519")
        return None
    key_id = hashlib.sha256(public).hexdigest()[:16]
    if key_id != key.get("key_id"):
        report.add("FAIL", "log", "key", f"key_id is {key.get('key_id')} but the public key's id is {key_id}")
        return None
    report.add("PASS", "log", "key", f"Ed25519 key {key_id}")
    return public


def check_dice(report, roll, f, seed):
    who = subject_of(roll)
    names = ("dice", "total", "block_values_used")
    if seed is None:
        why = "server seed not revealed yet" if f.get("server_seed") is None else "server_seed is unreadable"
        for name in names:
            report.add("PENDING", who, name, why)
        return
    results, total, terms = roll.get("individual_results"), roll.get("total"), roll.get("terms")
    if results is None or total is None or terms is None:
        for name in names:
            report.add("PENDING", who, name, "values withheld (a hidden roll the DM has not revealed)")
        return
    client_seed, nonce = f.get("client_seed"), f.get("nonce")
    if not isinstance(client_seed, str) or not CLIENT_SEED.match(client_seed) or not isinstance(nonce, int) or nonce < 1:
        for name in names:
            report.add("FAIL", who, name, f"client_seed {client_seed!r} / nonce {nonce!r} cannot seed a stream")
        return

    stream = Stream(seed, client_seed, nonce)
    drawn, problem, subtotal_sum, total_problem = [], None, 0, None
    for index, term in enumerate(terms):
        notation, dice = term.get("notation", ""), term.get("dice") or []
        parsed = term_faces(notation)
        if not dice:
            subtotal_sum += term.get("subtotal", 0)
            continue
        if parsed is None:
            problem = problem or f"terms[{index}] notation {notation!r} is not a dice term"
            break
        faces, offset, negative, rest = parsed
        for number, die in enumerate(dice, 1):
            face = stream.die(faces) + offset
            drawn.append(face)
            if die.get("value") != face and problem is None:
                problem = f"terms[{index}] ({notation}) die {number} is {die.get('value')} but the seed gives {face}"
        total_problem = total_problem or term_total_problem(index, notation, dice, term, negative, rest)
        subtotal_sum += term.get("subtotal", 0)
    if problem is None and drawn != results:
        problem = f"individual_results {results} are not the terms' dice in draw order {drawn}"
    report.add("FAIL" if problem else "PASS", who, "dice",
               problem or f"all {len(drawn)} dice follow from the seed ({', '.join(map(str, drawn))})")

    if total_problem is None and subtotal_sum != total:
        total_problem = f"total is {total} but the terms' subtotals add up to {subtotal_sum}"
    report.add("FAIL" if total_problem else "PASS", who, "total", total_problem or f"total {total} follows from the terms")

    used = f.get("block_values_used")
    if used is None:
        report.add("PENDING", who, "block_values_used", "block_values_used withheld")
    elif problem is not None:
        report.add("PENDING", who, "block_values_used", "the dice do not match, so the stream length is not comparable")
    elif used == stream.used:
        report.add("PASS", who, "block_values_used", f"{used} stream values used")
    else:
        report.add("FAIL", who, "block_values_used", f"block_values_used is {used} but drawing the dice takes {stream.used} values")


def term_total_problem(index, notation, dice, term, negative, rest):
    """Checks a term's subtotal against its dice's fates, and its keep/drop rule; None when it adds up."""
    counted = [d.get("value", 0) for d in dice if d.get("fate") in ("kept", "exploded")]
    if term.get("successes") is not None:
        expected = term["successes"]  # which dice meet a success target is in the notation; the count is what adds
    else:
        expected = sum(counted)
    expected = -expected if negative else expected
    if term.get("subtotal") != expected:
        return f"terms[{index}] ({notation}) subtotal is {term.get('subtotal')} but its counted dice make {expected}"
    keep = KEEP.search(rest)
    if keep:
        candidates = sorted(d.get("value", 0) for d in dice if d.get("fate") in ("kept", "exploded", "dropped"))
        n = int(keep.group(2))
        count = min(n, len(candidates)) if keep.group(1) in ("kh", "kl") else max(0, len(candidates) - n)
        best = candidates[len(candidates) - count:] if keep.group(1) in ("kh", "dl") else candidates[:count]
        if len(counted) != count or sorted(counted) != best:
            return f"terms[{index}] ({notation}) counts {sorted(counted)} but {keep.group(0)} keeps {best}"
    return None


def hash_line(roll, f):
    results = ",".join(str(v) for v in roll["individual_results"])
    return "|".join(str(x) for x in (f.get("prev_hash"), roll.get("roll_id"), f.get("sequence"), f.get("player_id"),
                                      roll.get("dice_formula"), results, roll.get("total"), f.get("client_seed"),
                                      f.get("nonce"), f.get("commitment"), f.get("salt")))


def check_roll(report, roll, key, public):
    """The checks of one roll on its own: commitment, dice, total, values used, hash, signature, key id."""
    who, f = subject_of(roll), roll.get("fairness")
    if not isinstance(f, dict):
        report.add("PENDING", who, "fairness", "made before provable fairness: it has no commitment, hash or signature to check")
        return
    seed_hex, seed = f.get("server_seed"), None
    if seed_hex is None:
        report.add("PENDING", who, "commitment", f"server seed of commitment {str(f.get('commitment'))[:16]}… not revealed yet")
    elif not isinstance(seed_hex, str) or not HEX64.match(seed_hex.lower()):
        report.add("FAIL", who, "commitment", "server_seed is not 64 hex digits")
    else:
        seed = bytes.fromhex(seed_hex)
        actual = hashlib.sha256(seed).hexdigest()
        if actual == f.get("commitment"):
            report.add("PASS", who, "commitment", f"SHA-256(server_seed) = {actual[:16]}…")
        else:
            report.add("FAIL", who, "commitment", f"SHA-256(server_seed) is {actual} but commitment is {f.get('commitment')}")
    check_dice(report, roll, f, seed)

    if roll.get("individual_results") is None or roll.get("total") is None or f.get("salt") is None:
        report.add("PENDING", who, "hash", f"values withheld until the DM reveals the roll; its hash {str(f.get('hash'))[:16]}… is committed")
    else:
        actual = hashlib.sha256(hash_line(roll, f).encode("utf-8")).hexdigest()
        if actual == f.get("hash"):
            report.add("PASS", who, "hash", f"SHA-256 of the hash line = {actual[:16]}…")
        else:
            report.add("FAIL", who, "hash", f"hash is {f.get('hash')} but the roll's fields hash to {actual} (a field in the hash line was changed)")

    if public is None:
        report.add("PENDING", who, "signature", "no usable public key (it is published at /.well-known/diceroller-key)")
    else:
        try:
            signature = base64.b64decode(f.get("signature") or "", validate=True)
        except ValueError:
            signature = b""
        if ed25519_verify(public, str(f.get("hash")).encode("utf-8"), signature):
            report.add("PASS", who, "signature", f"Ed25519 signature of the hash by key {key.get('key_id')} is valid")
        else:
            report.add("FAIL", who, "signature", f"signature is not a valid Ed25519 signature of hash {str(f.get('hash'))[:16]}… by key {key.get('key_id')}")
    if key is not None:
        if f.get("key_id") == key.get("key_id"):
            report.add("PASS", who, "key_id", f"signed by key {key.get('key_id')}")
        else:
            report.add("FAIL", who, "key_id", f"key_id is {f.get('key_id')} but the published key is {key.get('key_id')}")


def link(report, roll, previous):
    who, f = subject_of(roll), roll["fairness"]
    if previous is not None:
        p = previous["fairness"]
        if f.get("prev_hash") == p.get("hash"):
            report.add("PASS", who, "chain", f"prev_hash is the hash of roll #{p.get('sequence')}")
        else:
            report.add("FAIL", who, "chain", f"prev_hash is {f.get('prev_hash')} but the previous roll #{p.get('sequence')}'s hash is {p.get('hash')}")
    elif f.get("prev_hash") == GENESIS:
        report.add("PASS", who, "chain", "first roll of the room: prev_hash is 64 zeros")
    elif (f.get("sequence") or 0) <= 1:
        report.add("FAIL", who, "chain", f"the room's first roll must have prev_hash of 64 zeros, not {f.get('prev_hash')}")
    else:
        report.add("PENDING", who, "chain", f"the previous roll #{f.get('sequence') - 1} is not given (only the room's log shows it)")


def verify_log(log, report):
    key = log.get("key")
    public = check_key(report, key)
    rolls = log.get("rolls")
    if not isinstance(rolls, list) or not all(isinstance(r, dict) for r in rolls):
        raise ValueError('the log has no "rolls" list of objects')
    if not rolls:
        report.add("PENDING", "log", "chain", "the log has no rolls yet")
    fair = [r for r in rolls if isinstance(r.get("fairness"), dict)]
    from_genesis = bool(fair) and fair[0]["fairness"].get("prev_hash") == GENESIS
    previous, nonces = None, {}
    for roll in rolls:
        check_roll(report, roll, key if isinstance(key, dict) else None, public)
        if not isinstance(roll.get("fairness"), dict):
            continue
        who, f = subject_of(roll), roll["fairness"]
        link(report, roll, previous)
        if previous is not None:
            expected = previous["fairness"].get("sequence", 0) + 1
            if f.get("sequence") == expected:
                report.add("PASS", who, "sequence", f"follows roll #{expected - 1}")
            else:
                report.add("FAIL", who, "sequence", f"sequence is {f.get('sequence')} but the previous roll in the log is #{expected - 1}: expected {expected} (a roll is missing or out of order)")
        player = f.get("player_id")
        if player not in nonces:
            nonces[player] = [1 if from_genesis else f.get("nonce"), 1]
            if not from_genesis:
                report.add("PASS", who, "nonce", f"nonce {f.get('nonce')}: the member's first roll in this part of the log")
            elif f.get("nonce") == 1:
                report.add("PASS", who, "nonce", "nonce 1: the member's first roll")
            else:
                report.add("FAIL", who, "nonce", f"nonce is {f.get('nonce')} but this is the member's first roll in the room: expected 1")
        else:
            first, count = nonces[player]
            nonces[player][1] += 1
            if f.get("nonce") == first + count:
                report.add("PASS", who, "nonce", f"nonce {f.get('nonce')}: one more than the member's previous roll")
            else:
                report.add("FAIL", who, "nonce", f"nonce is {f.get('nonce')} but this is the member's roll number {count + 1} in the log: expected {first + count}")
        previous = roll


def verify_roll(roll, key, report):
    public = check_key(report, key) if key is not None else None
    check_roll(report, roll, key, public)
    f = roll.get("fairness")
    if isinstance(f, dict):
        link(report, roll, None)


# --- Input -------------------------------------------------------------------------------------------------------
def fetch_json(url):
    request = urllib.request.Request(url, headers={"Accept": "application/json", "User-Agent": "diceroller-verify/1"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read(5_000_000).decode("utf-8"))
    except urllib.error.HTTPError as e:
        raise ValueError(f"{url} answered {e.code}" + (" (the roll is unknown, expired or still hidden)" if e.code == 404 else "")) from e
    except (urllib.error.URLError, TimeoutError) as e:
        raise ValueError(f"cannot fetch {url}: {getattr(e, 'reason', e)}") from e


def from_url(url):
    """The permalink JSON and the key of a /roll/{id} or /api/permalink/{id} URL."""
    parts = urllib.parse.urlsplit(url)
    match = re.search(r"/(?:roll|api/permalink)/([^/?#]+)/?$", parts.path)
    if parts.scheme not in ("http", "https") or not match or not ROLL_ID.match(match.group(1)):
        if parts.path.endswith("/log.json"):
            raise ValueError("a room's log.json needs your room session: save it from the browser and pass the file")
        raise ValueError(f"{url} is not a roll permalink (…/roll/ROLL_ID or …/api/permalink/ROLL_ID)")
    prefix = parts.path[:match.start()]
    origin = f"{parts.scheme}://{parts.netloc}{prefix}"
    return fetch_json(f"{origin}/api/permalink/{match.group(1)}"), fetch_json(f"{origin}/.well-known/diceroller-key")


def load_key(source):
    if re.match(r"^https?://", source):
        return fetch_json(source)
    return json.loads(Path(source).read_text(encoding="utf-8"))


def merge_pages(pages, names):
    """One log from pages of /rooms/CODE/log.json (each at most 500 rolls, linked by prev/next): rolls in chain order."""
    for page, name in zip(pages, names):
        if not isinstance(page, dict) or not isinstance(page.get("rolls"), list) or not all(isinstance(r, dict) for r in page["rolls"]):
            raise ValueError(f'{name} is not a page of a room log (an object with a "rolls" list)')
    if len({p.get("room_code") for p in pages}) > 1:
        raise ValueError("the pages are of different rooms: " + ", ".join(sorted(str(p.get("room_code")) for p in pages)))
    if len({json.dumps(p.get("key"), sort_keys=True) for p in pages}) > 1:
        raise ValueError("the pages carry different signing keys")
    position = lambda p: p.get("first") if isinstance(p.get("first"), int) else 0
    rolls, seen = [], set()
    for page in sorted(pages, key=position):
        for roll in page["rolls"]:
            if roll.get("roll_id") not in seen:
                seen.add(roll.get("roll_id"))
                rolls.append(roll)
    return {"room_code": pages[0].get("room_code"), "key": pages[0].get("key"), "rolls": rolls}


def run(target, key_source, out=sys.stdout):
    report = Report(out)
    if isinstance(target, (list, tuple)):
        if len(target) == 1:
            target = target[0]
        else:
            pages = [json.loads(Path(t).read_text(encoding="utf-8")) for t in target]
            verify_log(merge_pages(pages, target), report)
            return report
    if re.match(r"^https?://", target):
        roll, key = from_url(target)
        verify_roll(roll, load_key(key_source) if key_source else key, report)
    else:
        data = json.loads(Path(target).read_text(encoding="utf-8"))
        if isinstance(data, dict) and "rolls" in data:
            if data.get("prev"):
                print(f"NOTE {target} is one page of the room's log (rolls from #{data.get('first')} of {data.get('total_rolls')}): "
                      "its first chain link stays pending; pass the older pages too (the prev link) to check the whole chain", file=out)
            verify_log(data, report)
        elif isinstance(data, dict):
            verify_roll(data, load_key(key_source) if key_source else None, report)
        else:
            raise ValueError(f"{target} holds neither a permalink object nor a room log")
    return report


# --- Self-test ---------------------------------------------------------------------------------------------------
RFC8032_TEST_1 = (
    "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
    "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
)


def self_test(doc_path):
    failures = []

    def expect(ok, what):
        print(f"{'PASS' if ok else 'FAIL'} self-test {what}")
        if not ok:
            failures.append(what)

    secret, public, signature = (bytes.fromhex(x) for x in RFC8032_TEST_1)
    expect(ed25519_public_key(secret) == public, "RFC 8032 test 1: public key from the secret")
    expect(ed25519_verify(public, b"", signature), "RFC 8032 test 1: the signature verifies")
    bad = bytearray(signature)
    bad[0] ^= 1
    expect(not ed25519_verify(public, b"", bytes(bad)), "RFC 8032 test 1: a changed byte does not verify")
    expect(not ed25519_verify(public, b"x", signature), "RFC 8032 test 1: another message does not verify")

    text = Path(doc_path).read_text(encoding="utf-8")
    block = re.search(r"<!-- test-vectors:begin -->\s*```json\n(.*?)```\s*<!-- test-vectors:end -->", text, re.S)
    if not block:
        expect(False, f"{doc_path} has a test-vectors block")
        return 1
    vectors = json.loads(block.group(1))
    seed = bytes.fromhex(vectors["server_seed"])
    expect(hashlib.sha256(seed).hexdigest() == vectors["commitment"], "commitment = SHA-256(server_seed)")
    for s in vectors["streams"]:
        digest = hmac.digest(seed, s["message"].encode(), hashlib.sha256)
        expect(s["message"] == f"{s['client_seed']}:{s['nonce']}:{s['block']}" and digest.hex() == s["hmac"]
               and list(struct.unpack(">8I", digest)) == s["values"], f"stream {s['message']}: HMAC and its eight values")
    for v in vectors["dice"]:
        stream = Stream(seed, v["client_seed"], v["nonce"])
        dice = [stream.die(v["sides"]) for _ in v["dice"]]
        values = Stream(seed, v["client_seed"], v["nonce"])
        consumed = [values.next_value() for _ in range(stream.used)]
        limit = 2**32 - (2**32 % v["sides"])
        expect(dice == v["dice"] and consumed == v["values"] and limit == v["limit"]
               and [x for x in consumed if x >= limit] == v["rejected"],
               f"d{v['sides']} {v['client_seed']}:{v['nonce']}: dice {v['dice']}" + (f", rejected {v['rejected']}" if v["rejected"] else ""))
    key = vectors["signing_key"]
    raw = ed25519_public_key(bytes.fromhex(key["private_key"]))
    expect(base64.b64encode(raw).decode() == key["public_key"] and hashlib.sha256(raw).hexdigest()[:16] == key["key_id"],
           "test signing key: public key and key id")
    for roll in vectors["log"]["rolls"]:
        f = roll["fairness"]
        if "hash_line" in f:
            expect(hash_line(roll, f) == f["hash_line"] and hashlib.sha256(f["hash_line"].encode()).hexdigest() == f["hash"],
                   f"roll #{f['sequence']}: hash line and hash")

    class Collect:
        lines = []

        def write(self, s):
            self.lines.append(s)

    sink = Collect()
    report = Report(sink)
    verify_log(vectors["log"], report)
    pending = [line for line in "".join(sink.lines).splitlines() if line.startswith("PENDING")]
    expect(report.counts["FAIL"] == 0 and len(pending) == 4 and all(" roll #6 " in line for line in pending),
           f"the vector log verifies ({report.counts['PASS']} pass, only the withheld roll #6 pending)")
    print(f"{len(failures)} self-test check(s) failed" if failures else "self-test: all vectors hold")
    return 1 if failures else 0


def main(argv=None):
    parser = argparse.ArgumentParser(description="Check DiceRoller rolls (docs/fairness.md). Exit 0: nothing failed; 1: a check failed; 2: bad input.")
    parser.add_argument("target", nargs="*", help="a permalink URL (/roll/ID or /api/permalink/ID), or a log or permalink JSON file, or several pages of one room's log")
    parser.add_argument("--key", help="the published key (a JSON file or the /.well-known/diceroller-key URL), for a permalink file")
    parser.add_argument("--self-test", action="store_true", help="check RFC 8032 test 1 and the test vectors of docs/fairness.md")
    parser.add_argument("--doc", default=str(Path(__file__).resolve().parent.parent / "docs" / "fairness.md"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.self_test:
        return self_test(args.doc)
    if not args.target:
        parser.print_usage(sys.stderr)
        return 2
    try:
        report = run(args.target, args.key)
    except (ValueError, OSError, KeyError, TypeError) as e:
        print(f"verify.py: {e}", file=sys.stderr)
        return 2
    c = report.counts
    print(f"{c['PASS']} passed, {c['FAIL']} failed, {c['PENDING']} pending")
    return 1 if c["FAIL"] else 0


if __name__ == "__main__":
    sys.exit(main())

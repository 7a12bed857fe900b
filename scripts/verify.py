#!/usr/bin/env python3
"""Checks DiceRoller rolls against the provable-fairness scheme of docs/fairness.md, trusting nothing but the math.

    python3 scripts/verify.py https://dice.example.org/roll/ROLL_ID    # a permalink page or /api/permalink/ URL
    python3 scripts/verify.py room-log.json                           # a saved /rooms/CODE/log.json
    python3 scripts/verify.py log-page-1.json log-page-2.json         # its pages (over 500 rolls), in any order
    python3 scripts/verify.py permalink.json --key key.json           # a saved permalink (+ the published key)
    python3 scripts/verify.py --self-test                             # the test vectors of docs/fairness.md

Recomputes per roll: the commitment from a revealed seed, every die from the HMAC-SHA256 stream (the stored formula is
parsed and rolled again here: terms left to right, each term's rerolls, explosions, keep/drop and the 100-dice cap,
rejection of biased values), the total from the formula's arithmetic over the terms, the hash line
and its SHA-256, the chain to the previous roll, each member's nonces, and the Ed25519 signature (RFC 8032, written
out below: the standard library has none). Prints one line per check, PASS / FAIL / PENDING, and exits 0 only when
nothing failed (1 when a check failed, 2 when the input could not be read).

Python 3.11+, standard library only.
"""
import argparse
import base64
import hashlib
import hmac
import io
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


def _windows(point):
    """For each of the 64 four-bit digits of a scalar: 0..15 times 16^i times point. A multiple is then one addition per
    nonzero digit, no doubling: made once for the base point and once per public key, used for every signature."""
    rows, base = [], point
    for _ in range(64):
        row = [(0, 1, 1, 0), base]
        for _ in range(14):
            row.append(_add(row[-1], base))
        rows.append(row)
        base = _add(row[-1], base)
    return rows


def _mul_by(scalar, rows):
    """scalar * point from the point's _windows (the same point as _mul(scalar, point)), for 0 <= scalar < 2^256."""
    result, i = (0, 1, 1, 0), 0
    while scalar > 0:
        if scalar & 15:
            result = _add(result, rows[i][scalar & 15])
        scalar >>= 4
        i += 1
    return result


_WINDOWS = {}


def _windows_of(public):
    """The _windows of a public key (b"" for the base point), or None for bytes that are no point: made once per key."""
    if public not in _WINDOWS:
        point = BASE if public == b"" else _decompress(public)
        _WINDOWS[public] = None if point is None else _windows(point)
    return _WINDOWS[public]


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
    a = _windows_of(public)
    r = _decompress(signature[:32])
    s = int.from_bytes(signature[32:], "little")
    if a is None or r is None or s >= L:
        return False
    k = int.from_bytes(hashlib.sha512(signature[:32] + public + message).digest(), "little") % L
    return _equal(_mul_by(s, _windows_of(b"")), _add(r, _mul_by(k, a)))


# --- The draw stream -------------------------------------------------------------------------------------------
class Stream:
    """The 32-bit values of HMAC-SHA256(server_seed, "{client_seed}:{nonce}:{block}"), eight per block, big-endian.
    A rules-2 hidden roll appends ":{hidden_secret}" (its secret as lowercase hex) to every message."""

    def __init__(self, seed, client_seed, nonce, hidden_secret=None):
        self.seed, self.prefix = seed, f"{client_seed}:{nonce}:"
        self.suffix = "" if hidden_secret is None else f":{hidden_secret}"
        self.values, self.block, self.used = [], 0, 0

    def next_value(self):
        if not self.values:
            digest = hmac.digest(self.seed, f"{self.prefix}{self.block}{self.suffix}".encode(), hashlib.sha256)
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


# --- Rules 2: hidden-roll secrets (a Merkle tree per commitment) -----------------------------------------------------
HIDDEN_COUNT, HIDDEN_DEPTH = 256, 8


def hidden_secret(hidden_key, index):
    return hmac.digest(hidden_key, f"hidden:{index}".encode(), hashlib.sha256)


def hidden_leaf(index, secret):
    return hashlib.sha256(b"\x00" + struct.pack(">I", index) + secret).digest()


def hidden_node(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def hidden_levels(hidden_key):
    levels = [[hidden_leaf(k, hidden_secret(hidden_key, k)) for k in range(HIDDEN_COUNT)]]
    while len(levels[-1]) > 1:
        below = levels[-1]
        levels.append([hidden_node(below[i], below[i + 1]) for i in range(0, len(below), 2)])
    return levels


def hidden_path(levels, index):
    return [levels[level][(index >> level) ^ 1].hex() for level in range(HIDDEN_DEPTH)]


def hidden_verify(root_hex, index, secret_hex, path):
    """Whether secret_hex is leaf `index` of the tree whose root is root_hex (path: sibling hashes, leaf level first)."""
    if not (isinstance(index, int) and 0 <= index < HIDDEN_COUNT and isinstance(path, list) and len(path) == HIDDEN_DEPTH
            and all(isinstance(x, str) and HEX64.match(x) for x in [root_hex, secret_hex, *path])):
        return False
    node = hidden_leaf(index, bytes.fromhex(secret_hex))
    for level, sibling in enumerate(path):
        other = bytes.fromhex(sibling)
        node = hidden_node(node, other) if (index >> level) & 1 == 0 else hidden_node(other, node)
    return node.hex() == root_hex


def rules_of(f):
    return f.get("rules") or 1


def hidden_secret_of(f):
    """The secret a rules-2 hidden roll mixed into its draw: its salt (None for other rolls)."""
    return f.get("salt") if rules_of(f) >= 2 and f.get("hidden_index") is not None else None


def check_rules(report, roll, f):
    """Rules 2: the client seed was set under the roll's own commitment; a revealed hidden roll's secret is in the root."""
    who, rules, commitment = subject_of(roll), rules_of(f), str(f.get("commitment"))
    root = commitment.split(".", 1)[1] if "." in commitment else None
    if rules < 2:
        if root is not None:
            report.add("FAIL", who, "client_seed_order", f"commitment {commitment[:16]}… carries a hidden-roll root (rules 2) but the record says rules {rules}")
        return
    if rules > 2 or root is None or not HEX64.match(root):
        report.add("FAIL", who, "client_seed_order", f"rules {rules} is unknown to this verifier (it knows 1 and 2)" if rules > 2
                   else f"rules 2 needs a commitment of the form {{seed hash}}.{{hidden root}}, not {commitment}")
        return
    at = f.get("client_seed_commitment")
    if at == commitment:
        report.add("PASS", who, "client_seed_order", f"the server picked the client seed after committing to {commitment[:16]}…"
                   if f.get("client_seed_by_server") else f"the client seed was set after commitment {commitment[:16]}… was shown")
    elif at is None:
        report.add("FAIL", who, "client_seed_order", "client_seed_commitment is missing: the record does not say when its client seed was set")
    else:
        report.add("FAIL", who, "client_seed_order", f"the client seed was set under commitment {str(at)[:16]}…, before this roll's commitment {commitment[:16]}…: the server knew it before it committed")
    index = f.get("hidden_index")
    if index is not None:
        if hidden_verify(root, index, f.get("salt") or "", f.get("hidden_path")):
            report.add("PASS", who, "hidden_secret", f"the salt is hidden-roll secret {index} of root {root[:16]}…")
        else:
            report.add("FAIL", who, "hidden_secret", f"the salt with hidden_path is not leaf {index} of the hidden-roll root {root[:16]}…")
    elif f.get("salt"):
        report.add("FAIL", who, "hidden_secret", "a rules-2 roll with a salt must name its hidden_index and hidden_path (a hidden roll's salt is its secret)")


TERM = re.compile(r"^(-?)(\d+)d(\d+|F)(.*)$")
KEEP = re.compile(r"(kh|kl|dh|dl)(\d+)")


# --- The dice language (docs/fairness.md, "Formulas"): parsed and rolled again here, independently of the app ----------
MAX_DICE = 100


class Leaf:
    """A dice term or a constant of a formula, with its options as the stored (printed) formula writes them."""

    def __init__(self, count=None, sides=None, fudge=False, value=None):
        self.count, self.sides, self.fudge, self.value = count, sides, fudge, value
        self.negative = False
        self.reroll = self.explode = self.reroll_add = self.success = None  # (op, n); reroll is (op, n, once)
        self.minimum = self.maximum = None
        self.keeps = []  # steps in order: (drop, [(op, n), ...]); one step's selectors pick together


def matches(sel, face):
    op, n = sel
    return {"=": face == n, "<": face < n, "<=": face <= n, ">": face > n, ">=": face >= n}.get(op, False)


class FormulaParser:
    """formula := sum [" crit"]; sum := product (("+"|"-") product)*; product := unary (("*"|"/") unary)*;
    unary := ("+"|"-") unary | atom annotation*; atom := NUMBER | dice | "(" sum ")" keep-steps."""

    def __init__(self, text):
        self.text, self.i, self.leaves = text, 0, []

    def fail(self, what):
        raise ValueError(f"{what} at character {self.i + 1} of {self.text!r}")

    def peek(self, ahead=0):
        j = self.i + ahead
        return self.text[j].lower() if j < len(self.text) else ""

    def spaces(self):
        while self.peek().isspace():
            self.i += 1

    def parse(self):
        self.spaces()
        tree = self.sum()
        self.spaces()
        rest = self.text[self.i:]
        if rest not in ("", "crit"):
            self.fail("unexpected text")
        return tree

    def sum(self):
        left = self.product()
        while True:
            self.spaces()
            op = self.peek()
            if op not in ("+", "-", "\u2212"):
                return left
            self.i += 1
            self.spaces()
            right = self.product()
            if op != "+" and right[0] == "leaf":
                self.leaves[right[1]].negative ^= True  # 1d20-5: the subtracted term is a negative term
                op = "+"
            left = ("bin", "+" if op == "+" else "-", left, right)

    def product(self):
        left = self.unary()
        while True:
            self.spaces()
            op = self.peek()
            if op not in ("*", "/"):
                return left
            self.i += 1
            self.spaces()
            left = ("bin", op, left, self.unary())

    def unary(self):
        c = self.peek()
        if c in ("+", "-", "\u2212"):
            self.i += 1
            self.spaces()
            operand = self.unary()
            if c == "+":
                return operand
            if operand[0] == "leaf":
                self.leaves[operand[1]].negative ^= True
                return operand
            return operand[1] if operand[0] == "neg" else ("neg", operand)
        atom = self.atom()
        while True:
            save = self.i
            self.spaces()
            if self.peek() != "[":
                self.i = save
                return atom
            close = self.text.find("]", self.i)
            if close < 0:
                self.fail("unclosed annotation")
            self.i = close + 1

    def number(self):
        start = self.i
        while self.peek().isdigit() and self.peek() in "0123456789":
            self.i += 1
        if start == self.i:
            self.fail("expected a number")
        return int(self.text[start:self.i])

    def atom(self):
        if self.peek() == "(":
            self.i += 1
            self.spaces()
            inner = self.sum()
            self.spaces()
            if self.peek() != ")":
                self.fail("expected )")
            self.i += 1
            c = self.peek()
            if c in ("k", "p") or (c == "d" and self.peek(1) in ("h", "l")):
                node = inner
                while node[0] == "group":
                    node = node[1]
                if node[0] != "leaf" or self.leaves[node[1]].count is None:
                    self.fail("keep/drop after ) needs a single dice term inside")
                self.options(self.leaves[node[1]], new_step=True)
                return node
            return ("group", inner)
        count = self.number() if self.peek().isdigit() else None
        if self.peek() != "d":
            if count is None:
                self.fail("expected a die, a number or (")
            self.leaves.append(Leaf(value=count))
            return ("leaf", len(self.leaves) - 1)
        self.i += 1
        if self.peek() == "%":
            self.i += 1
            leaf = Leaf(1 if count is None else count, 100)
        elif self.peek() == "f":
            self.i += 1
            leaf = Leaf(1 if count is None else count, 3, fudge=True)
        else:
            leaf = Leaf(1 if count is None else count, self.number())
        self.options(leaf, new_step=False)
        self.leaves.append(leaf)
        return ("leaf", len(self.leaves) - 1)

    def select(self, bare, high_low):
        for op in ("<=", ">=", "<", ">", "="):
            if self.text.startswith(op, self.i):
                self.i += len(op)
                return (op, self.number())
        if high_low and self.peek() in ("h", "l"):
            op = self.peek()
            self.i += 1
            return (op, self.number())
        return (bare, self.number())

    def options(self, leaf, new_step):
        step = "new" if new_step else None
        while True:
            c, n = self.peek(), self.peek(1)
            if c in ("k", "p") or (c == "d" and n in ("h", "l")):
                self.i += 1
                sel = self.select("l" if c == "p" else "h", True)
                drop = c != "k"
                if step == ("p" if drop else "k") and leaf.keeps:
                    leaf.keeps[-1][1].append(sel)
                else:
                    leaf.keeps.append((drop, [sel]))
                step = "p" if drop else "k"
                continue
            if c == "r" and n == "a":
                self.i += 2
                leaf.reroll_add = self.select("=", True)
            elif c == "r":
                once = n == "o"
                self.i += 2 if n in ("o", "r") else 1
                leaf.reroll = self.select("=", once) + (once,)
            elif c in ("!", "e"):
                self.i += 1
                leaf.explode = self.select("=", False) if self.peek() in "<>=0123456789" and self.peek() else ("=", leaf.sides)
            elif c == "m" and n in ("i", "a"):
                self.i += 2
                if n == "i":
                    leaf.minimum = self.number()
                else:
                    leaf.maximum = self.number()
            elif c in ("<", ">") or (c == "=" and n.isdigit()):
                leaf.success = self.select(">=", False)
            else:
                return
            step = None


def evaluate(tree, values):
    """The formula's value from each leaf's signed value; / is whole-number division rounding down."""
    kind = tree[0]
    if kind == "leaf":
        return values[tree[1]]
    if kind == "neg":
        return -evaluate(tree[1], values)
    if kind == "group":
        return evaluate(tree[1], values)
    left, right = evaluate(tree[2], values), evaluate(tree[3], values)
    if tree[1] == "/" and right == 0:
        raise ValueError("division by zero")
    return {"+": left + right, "-": left - right, "*": left * right, "/": left // right if tree[1] == "/" else 0}[tree[1]]


def pick(dice, sel, keeping):
    """Indexes of the counted dice a selector picks; h/l ties go to the earlier die when keeping, the later otherwise."""
    counted = [(d["worth"], i) for i, d in enumerate(dice) if d["fate"] in ("kept", "exploded")]
    op, n = sel
    if op not in ("h", "l"):
        return [i for worth, i in counted if matches(sel, worth)]
    by_position = sorted(counted, key=lambda x: x[1], reverse=not keeping)
    return [i for _, i in sorted(by_position, key=lambda x: x[0], reverse=op == "h")[:n]]


class Draws:
    def __init__(self, stream, base):
        self.stream, self.pending, self.results = stream, base, []

    def die(self, leaf):
        face = self.stream.die(leaf.sides) - (2 if leaf.fudge else 0)
        self.results.append(face)
        return face

    def may_add(self):
        return len(self.results) + self.pending < MAX_DICE


def roll_leaf(leaf, draws):
    """One dice term rolled from the stream in the documented draw order: its dice (value, fate, worth) and subtotal."""
    dice = []

    def add(value, fate):
        dice.append({"value": value, "fate": fate, "worth": value})

    face_reroll = leaf.reroll if leaf.reroll and leaf.reroll[0] not in ("h", "l") else None
    for _ in range(leaf.count):
        draws.pending -= 1
        face, rerolls = draws.die(leaf), 0
        while face_reroll and matches(face_reroll[:2], face) and not (face_reroll[2] and rerolls) and draws.may_add():
            add(face, "rerolled")
            face, rerolls = draws.die(leaf), rerolls + 1
        while leaf.explode and matches(leaf.explode, face) and draws.may_add():
            add(face, "exploded")
            face = draws.die(leaf)
        add(face, "kept")
    if leaf.reroll and leaf.reroll[0] in ("h", "l"):
        for i in sorted(pick(dice, leaf.reroll[:2], False)):
            if not draws.may_add():
                break
            dice[i]["fate"] = "rerolled"
            add(draws.die(leaf), "kept")
    if leaf.reroll_add:
        if leaf.reroll_add[0] in ("h", "l"):
            chosen = pick(dice, (leaf.reroll_add[0], 1), False)
        else:
            chosen = [i for i, d in enumerate(dice) if d["fate"] == "kept" and matches(leaf.reroll_add, d["value"])][:1]
        if chosen and draws.may_add():
            dice[chosen[0]]["fate"] = "exploded"
            add(draws.die(leaf), "kept")
    for d in dice:
        if d["fate"] in ("kept", "exploded"):
            worth = d["value"] if leaf.minimum is None else max(d["value"], leaf.minimum)
            d["worth"] = worth if leaf.maximum is None else min(worth, leaf.maximum)
    for drop, sels in leaf.keeps:
        picked = set()
        for sel in sels:
            picked.update(pick(dice, sel, not drop))
        for i, d in enumerate(dice):
            if d["fate"] in ("kept", "exploded") and (i in picked) == drop:
                d["fate"] = "dropped"
    counted = [d["worth"] for d in dice if d["fate"] in ("kept", "exploded")]
    value = sum(1 for w in counted if matches(leaf.success, w)) if leaf.success else sum(counted)
    return dice, -value if leaf.negative else value


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

    stream = Stream(seed, client_seed, nonce, hidden_secret_of(f))
    problem, total_problem, draws = None, None, None
    try:
        parser = FormulaParser(str(roll.get("dice_formula", "")))
        tree = parser.parse()
        leaves = parser.leaves
        dice_leaves = [leaf for leaf in leaves if leaf.count is not None]
        if roll.get("advantage") in ("advantage", "disadvantage") and len(dice_leaves) == 1:
            # The feed writes an advantage roll's d20 as 1d20 with advantage beside it: it rolled 2d20kh1 (or kl1).
            dice_leaves[0].count, dice_leaves[0].keeps = 2, [(False, [("h" if roll["advantage"] == "advantage" else "l", 1)])]
    except ValueError as e:
        problem = f"dice_formula does not parse: {e}"
    if problem is None and len(leaves) != len(terms):
        problem = f"terms has {len(terms)} terms but dice_formula {roll.get('dice_formula')!r} has {len(leaves)}"
    if problem is None:
        draws = Draws(stream, sum(leaf.count or 0 for leaf in leaves))
        for index, (leaf, term) in enumerate(zip(leaves, terms)):
            notation = term.get("notation", "")
            if leaf.count is None:
                value = -leaf.value if leaf.negative else leaf.value
                if problem is None and (term.get("dice") or term.get("subtotal") != value):
                    problem = f"terms[{index}] ({notation}) should be the constant {value}"
                continue
            dice, value = roll_leaf(leaf, draws)
            recorded = term.get("dice") or []
            for number, (mine, theirs) in enumerate(zip(dice, recorded), 1):
                worth = theirs.get("value") if theirs.get("counted") is None else theirs.get("counted")
                if problem is None and (theirs.get("value"), theirs.get("fate")) != (mine["value"], mine["fate"]):
                    problem = die_mismatch(index, notation, number, theirs, mine)
                if problem is None and mine["fate"] in ("kept", "exploded") and worth != mine["worth"]:
                    problem = f"terms[{index}] ({notation}) die {number} counts {worth} but its rule makes it {mine['worth']}"
            if problem is None and len(dice) != len(recorded):
                problem = f"terms[{index}] ({notation}) has {len(recorded)} dice but the seed draws {len(dice)}"
            if problem is None and term.get("subtotal") != value:
                problem = f"terms[{index}] ({notation}) subtotal is {term.get('subtotal')} but its dice make {value}"
    drawn = draws.results if draws else []
    if problem is None and drawn != results:
        problem = f"individual_results {results} are not the terms' dice in draw order {drawn}"
    report.add("FAIL" if problem else "PASS", who, "dice",
               problem or f"all {len(drawn)} dice follow from the seed ({', '.join(map(str, drawn))})")

    # The total follows from the recorded terms by the formula's arithmetic (the terms are checked against the seed above).
    try:
        expected = evaluate(tree, [term.get("subtotal", 0) for term in terms]) if draws else None
    except (ValueError, TypeError, NameError) as e:
        expected, total_problem = None, f"the total cannot be computed from the terms: {e}"
    if total_problem is None and expected is None:
        total_problem = "dice_formula does not describe the terms, so the total cannot be computed"
    elif total_problem is None and expected != total:
        total_problem = f"total is {total} but {roll.get('dice_formula')} makes {expected} from its terms' subtotals"
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


class CapDraws(Draws):
    """Draws that remember whether the 100-dice cap skipped a die (the roll's cap_reached)."""
    capped = False

    def may_add(self):
        allowed = super().may_add()
        self.capped = self.capped or not allowed
        return allowed


def is_d20_check(formula, leaves):
    """A plain sum (no * / ( ), not a crit) whose one dice term is a positive 1d20, or 2d20 keeping its highest or lowest."""
    dice = [leaf for leaf in leaves if leaf.count is not None]
    if any(c in formula for c in "*/()") or formula.endswith(" crit") or len(dice) != 1:
        return False
    d = dice[0]
    plain = not (d.negative or d.fudge or d.reroll or d.explode or d.reroll_add or d.success) and d.minimum is None and d.maximum is None
    return plain and d.sides == 20 and ((d.count == 1 and not d.keeps) or (d.count == 2 and d.keeps in ([(False, [("h", 1)])], [(False, [("l", 1)])])))


def check_derived(report, roll, f, seed):
    """successes, cap_reached and crit: outside the hash line, but they follow from the dice; each checked when the JSON has it."""
    fields = [name for name in ("successes", "cap_reached", "crit") if name in roll]
    client_seed, nonce = f.get("client_seed"), f.get("nonce")
    if (not fields or seed is None or roll.get("individual_results") is None or roll.get("total") is None or roll.get("terms") is None
            or not isinstance(client_seed, str) or not CLIENT_SEED.match(client_seed) or not isinstance(nonce, int) or nonce < 1):
        return  # the dice check says why they cannot be drawn
    formula = str(roll.get("dice_formula", ""))
    try:
        parser = FormulaParser(formula)
        parser.parse()
    except ValueError:
        return
    leaves = parser.leaves
    dice_leaves = [leaf for leaf in leaves if leaf.count is not None]
    if roll.get("advantage") in ("advantage", "disadvantage") and len(dice_leaves) == 1:
        dice_leaves[0].count, dice_leaves[0].keeps = 2, [(False, [("h" if roll["advantage"] == "advantage" else "l", 1)])]
    draws = CapDraws(Stream(seed, client_seed, nonce, hidden_secret_of(f)), sum(leaf.count or 0 for leaf in leaves))
    successes, natural = None, None
    for leaf in dice_leaves:
        dice, value = roll_leaf(leaf, draws)
        if leaf.success:
            successes = (successes or 0) + abs(value)
        if is_d20_check(formula, leaves):
            natural = next(d["value"] for d in dice if d["fate"] == "kept")
    crit = {20: "success", 1: "failure"}.get(natural)
    who = subject_of(roll)
    expected = {"successes": successes, "cap_reached": draws.capped, "crit": crit}
    passed = {
        "successes": f"{successes} successes, as the terms count them" if successes is not None else "no success target: null",
        "cap_reached": "true: the 100-dice cap skipped a die" if draws.capped else "false: no die was skipped by the cap",
        "crit": f'"{crit}": the kept d20 shows {natural}' if crit else "null: no natural 20 or 1 of a d20 check",
    }
    for name in fields:
        given = roll[name]
        if type(given) is type(expected[name]) and given == expected[name]:
            report.add("PASS", who, name, passed[name])
        elif name == "cap_reached":
            report.add("FAIL", who, name, f"cap_reached is {json.dumps(given)} but drawing the dice {'reaches' if draws.capped else 'does not reach'} the 100-dice cap")
        else:
            why = f" (the kept d20 shows {natural})" if name == "crit" and natural is not None else " (no natural 20 or 1 of a d20 check)" if name == "crit" else ""
            report.add("FAIL", who, name, f"{name} is {json.dumps(given)} but the dice make {json.dumps(expected[name])}{why}")


def die_mismatch(index, notation, number, theirs, mine):
    """What differs between a recorded die and the one the seed and the formula's rules give: its face, or only its fate."""
    where = f"terms[{index}] ({notation}) die {number}"
    if theirs.get("value") == mine["value"]:
        return f"{where} (a {mine['value']}) is marked {theirs.get('fate')} but the formula's rules make it {mine['fate']}"
    return f"{where} is {theirs.get('value')} ({theirs.get('fate')}) but the seed gives {mine['value']} ({mine['fate']})"


def hash_line(roll, f):
    results = ",".join(str(v) for v in roll["individual_results"])
    line = "|".join(str(x) for x in (f.get("prev_hash"), roll.get("roll_id"), f.get("sequence"), f.get("player_id"),
                                     roll.get("dice_formula"), results, roll.get("total"), f.get("client_seed"),
                                     f.get("nonce"), f.get("commitment"), f.get("salt")))
    if rules_of(f) < 2:
        return line
    index = f.get("hidden_index")
    return "|".join([line, str(rules_of(f)), str(f.get("client_seed_commitment") or ""),
                     "server" if f.get("client_seed_by_server") else "member", "" if index is None else str(index)])


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
        if actual == str(f.get("commitment")).split(".", 1)[0]:
            report.add("PASS", who, "commitment", f"SHA-256(server_seed) = {actual[:16]}…")
        else:
            report.add("FAIL", who, "commitment", f"SHA-256(server_seed) is {actual} but commitment is {f.get('commitment')}")
    check_rules(report, roll, f)
    check_dice(report, roll, f, seed)
    check_derived(report, roll, f, seed)

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


def rules2_self_test(text, expect):
    """The rules-2 vectors: hidden-roll secrets and their tree, a hidden roll's stream, a rules-2 log, a misordered seed."""
    block = re.search(r"<!-- rules2-vectors:begin -->\s*```json\n(.*?)```\s*<!-- rules2-vectors:end -->", text, re.S)
    if not block:
        expect(False, "the docs have a rules2-vectors block")
        return
    v = json.loads(block.group(1))
    seed, hidden_key = bytes.fromhex(v["server_seed"]), bytes.fromhex(v["hidden_key"])
    levels = hidden_levels(hidden_key)
    expect(levels[-1][0].hex() == v["hidden_root"] and v["commitment"] == f"{hashlib.sha256(seed).hexdigest()}.{v['hidden_root']}",
           "rules 2: hidden root and commitment {seed hash}.{hidden root}")
    for s in v["secrets"]:
        k = s["index"]
        expect(hidden_secret(hidden_key, k).hex() == s["secret"] and levels[0][k].hex() == s["leaf"]
               and hidden_path(levels, k) == s["path"] and hidden_verify(v["hidden_root"], k, s["secret"], s["path"]),
               f"rules 2: hidden secret {k}, its leaf and path")
    other = v["secrets"][1]
    expect(not hidden_verify(v["hidden_root"], v["secrets"][0]["index"], other["secret"], v["secrets"][0]["path"]),
           "rules 2: another secret does not verify at index 0")
    h = v["hidden_stream"]
    secret = hidden_secret(hidden_key, h["hidden_index"]).hex()
    expect(h["message"] == f"{h['client_seed']}:{h['nonce']}:{h['block']}:{secret}"
           and hmac.digest(seed, h["message"].encode(), hashlib.sha256).hex() == h["hmac"], "rules 2: a hidden roll's first block")
    for roll in v["log"]["rolls"]:
        f = roll["fairness"]
        if "hash_line" in f:
            expect(hash_line(roll, f) == f["hash_line"] and hashlib.sha256(f["hash_line"].encode()).hexdigest() == f["hash"],
                   f"rules 2: roll #{f['sequence']}: hash line and hash")

    def run_log(log):
        lines = []
        sink = type("Sink", (), {"write": lambda self, s: lines.append(s)})()
        report = Report(sink)
        verify_log(log, report)
        return report, "".join(lines).splitlines()

    report, lines = run_log(v["log"])
    pending = [line for line in lines if line.startswith("PENDING")]
    expect(report.counts["FAIL"] == 0 and pending and all(" roll #3 " in line for line in pending)
           and any("hidden_secret" in line and line.startswith("PASS") for line in lines),
           f"rules 2: the vector log verifies ({report.counts['PASS']} pass, only the unrevealed hidden roll #3 pending)")
    withheld = v["log"]["rolls"][2]
    expect(withheld["individual_results"] is None and withheld["fairness"]["salt"] is None,
           "rules 2: the unrevealed hidden roll publishes neither dice nor secret, though the seed is published")
    report, lines = run_log(v["seed_set_before_commitment"])
    failed = [line for line in lines if line.startswith("FAIL")]
    expect(len(failed) == 1 and " client_seed_order: " in failed[0],
           "rules 2: a client seed set under an earlier commitment fails client_seed_order, and nothing else")


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
    formulas = re.search(r"<!-- formula-vectors:begin -->\s*```json\n(.*?)```", text, re.S)
    for v in json.loads(formulas.group(1)) if formulas else []:
        expect(formula_vector_holds(seed, v), f"formula {v['formula']} (nonce {v['nonce']}): total {v['total']}")
    self_test_spec(text, seed, vectors, expect)
    rules2_self_test(text, expect)
    print(f"{len(failures)} self-test check(s) failed" if failures else "self-test: all vectors hold")
    return 1 if failures else 0


def formula_vector_holds(seed, v):
    """Rolls a formula vector of docs/fairness.md ("Formulas") again: its terms' dice and subtotals, total, values used."""
    parser = FormulaParser(v["formula"])
    tree = parser.parse()
    stream = Stream(seed, "vectors", v["nonce"])
    draws = Draws(stream, sum(leaf.count or 0 for leaf in parser.leaves))
    values, shown = [], []
    for leaf in parser.leaves:
        if leaf.count is None:
            values.append(-leaf.value if leaf.negative else leaf.value)
            shown.append([values[-1]])
            continue
        dice, value = roll_leaf(leaf, draws)
        values.append(value)
        shown.append([value, " ".join(f"{d['value']}{'' if d['fate'] == 'kept' else d['fate'][0]}"
                                      + (f"={d['worth']}" if d["worth"] != d["value"] else "") for d in dice)])
    return shown == v["terms"] and evaluate(tree, values) == v["total"] and stream.used == v["values_used"]


def self_test_spec(text, seed, vectors, expect):
    """The spec-vectors block (keep/drop ties, the dice cap across terms, success counts) and a log that starts late."""
    block = re.search(r"<!-- spec-vectors:begin -->\s*```json\n(.*?)```\s*<!-- spec-vectors:end -->", text, re.S)
    if not block:
        expect(False, "docs/fairness.md has a spec-vectors block")
        return
    for v in json.loads(block.group(1)):
        sink = io.StringIO()
        report = Report(sink)
        f = {"client_seed": v["client_seed"], "nonce": v["nonce"], "block_values_used": v["block_values_used"], "server_seed": seed.hex()}
        check_dice(report, dict(v, dice_formula=v["formula"]), f, seed)
        dice = sum(len(t["dice"]) for t in v["terms"])
        expect(report.counts == {"PASS": 3, "FAIL": 0, "PENDING": 0} and dice == len(v["individual_results"]) and (dice == 100) == v["cap_reached"],
               f"spec vector {v['formula']} {v['client_seed']}:{v['nonce']}: dice, fates, subtotals, total {v['total']}, {v['block_values_used']} values")
        # Marks are checked by position: the same values and subtotal with keep/drop on the other one of two equal dice fail.
        for t, term in enumerate(v["terms"]):
            marks = term["dice"]
            tie = next(((i, j) for i in range(len(marks)) for j in range(i + 1, len(marks)) if marks[i]["value"] == marks[j]["value"]
                        and {marks[i]["fate"], marks[j]["fate"]} == {"kept", "dropped"}), None)
            if tie is None:
                continue
            swapped = json.loads(json.dumps(v))
            a, b = swapped["terms"][t]["dice"][tie[0]], swapped["terms"][t]["dice"][tie[1]]
            a["fate"], b["fate"] = b["fate"], a["fate"]
            sink = io.StringIO()
            report = Report(sink)
            check_dice(report, dict(swapped, dice_formula=v["formula"]), f, seed)
            expect(report.counts["FAIL"] == 1 and f"die {tie[0] + 1} (a {a['value']}) is marked {a['fate']}" in sink.getvalue(),
                   f"spec vector {v['formula']} with its marks on the other of dice {tie[0] + 1} and {tie[1] + 1} (both {a['value']}) fails")
    late = dict(vectors["log"], rolls=vectors["log"]["rolls"][2:])
    sink = io.StringIO()
    report = Report(sink)
    verify_log(late, report)
    lines = sink.getvalue().splitlines()
    chain = [line for line in lines if line.startswith("PENDING") and " chain:" in line]
    expect(report.counts["FAIL"] == 0 and len(chain) == 1 and " roll #3 " in chain[0]
           and all(" roll #6 " in line or line in chain for line in lines if line.startswith("PENDING")),
           "the vector log without its first two rolls verifies from roll #3 (its chain link pending)")


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

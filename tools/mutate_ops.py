"""The mutation operators of tools/mutate.py, on C source text.

text_mutants(path, text) lists every mutant of one file in source order:
relational swaps, integer literals moved by one, '+ 1' <-> '- 1', && <-> ||,
statement-level calls deleted, returns forced at function starts. Comments,
strings and preprocessor lines are never mutated. self_test() checks the
operators on a fixed snippet (tools/mutate.py --self-test).
"""

import re
import sys

TOKEN = re.compile(r"""
    (?P<ws>[ \t\r\n\f\v]+)
  | (?P<comment>//[^\n]*|/\*.*?\*/)
  | (?P<str>"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*')
  | (?P<num>(?:0[xX][0-9a-fA-F]+|[0-9]+)[uUlL]*(?![.\w]))
  | (?P<fnum>[0-9][\w.]*)
  | (?P<id>[A-Za-z_]\w*)
  | (?P<op>\.\.\.|<<=|>>=|->|\+\+|--|<<|>>|<=|>=|==|!=|&&|\|\||[-+*/%&|^]=
         |[-+*/%&|^!~<>=?:;,.(){}\[\]\#\\])
""", re.S | re.X)

RELATIONAL = {"<": ["<=", ">="], "<=": ["<", ">"], ">": [">=", "<="],
              ">=": [">", "<"], "==": ["!="], "!=": ["=="]}
KEYWORDS = {"if", "while", "for", "switch", "return", "sizeof", "do",
            "else", "case", "goto", "break", "continue", "default",
            "_Static_assert", "_Alignof", "typedef", "struct", "union",
            "enum"}
CONTROL = {"if", "while", "for", "switch"}
# Deleting an assertion changes no behaviour a correct program can see.
NOT_DELETED = {"MM_ASSERT"}


class Tok:
    """One token: kind, text and [start, end) offsets in the file."""

    def __init__(self, kind, text, start):
        self.kind, self.text = kind, text
        self.start, self.end = start, start + len(text)


class Mutant:
    """One change: replace [start, end) of path's text with repl."""

    def __init__(self, path, start, end, repl, kind, what):
        self.path, self.start, self.end = path, start, end
        self.repl, self.kind, self.what = repl, kind, what
        self.id = None
        self.line = None

    def apply(self, text):
        return text[:self.start] + self.repl + text[self.end:]

    def describe(self):
        return "%s:%d: %s: %s" % (self.path, self.line, self.kind, self.what)


def tokenize(text):
    """C tokens without comments and preprocessor lines (never mutated)."""
    toks, pos, line_start, in_pp = [], 0, True, False
    while pos < len(text):
        m = TOKEN.match(text, pos)
        if not m:
            raise ValueError("cannot tokenize at offset %d" % pos)
        kind, s = m.lastgroup, m.group()
        pos = m.end()
        if kind == "ws" or kind == "comment":
            if "\n" in s:
                if m.start() == 0 or text[m.start() - 1] != "\\":
                    in_pp = False
                line_start = True
            continue
        if s == "#" and line_start:
            in_pp = True
        line_start = False
        if not in_pp:
            toks.append(Tok(kind, s, m.start()))
    return toks


def match_close(toks, i):
    """Index of the bracket closing the one at toks[i]."""
    pair = {"(": ")", "[": "]", "{": "}"}[toks[i].text]
    depth = 0
    for j in range(i, len(toks)):
        if toks[j].text == toks[i].text:
            depth += 1
        elif toks[j].text == pair:
            depth -= 1
            if depth == 0:
                return j
    return len(toks) - 1


def operand_end(tok):
    return tok.kind in ("id", "num") or tok.text in (")", "]")


def literal_variants(text):
    m = re.match(r"(0[xX])?([0-9a-fA-F]+)([uUlL]*)$", text)
    hexa, digits, suffix = m.group(1), m.group(2), m.group(3)
    value = int(digits, 16 if hexa else 10)
    if not hexa and len(digits) > 1 and digits.startswith("0"):
        return []  # octal: leave alone
    out = []
    for v in (value + 1, value - 1):
        if v < 0:
            continue
        body = ("%s%x" % (hexa, v)) if hexa else str(v)
        out.append(body + suffix)
    return out


def expr_mutants(path, toks):
    """Relational, logical and off-by-one mutants of each token."""
    out = []
    for i, t in enumerate(toks):
        if t.kind == "op" and t.text in RELATIONAL:
            for r in RELATIONAL[t.text]:
                out.append(Mutant(path, t.start, t.end, r, "relational",
                                  "'%s' -> '%s'" % (t.text, r)))
        elif t.text in ("&&", "||"):
            r = "||" if t.text == "&&" else "&&"
            out.append(Mutant(path, t.start, t.end, r, "logical",
                              "'%s' -> '%s'" % (t.text, r)))
        elif t.kind == "num":
            for r in literal_variants(t.text):
                out.append(Mutant(path, t.start, t.end, r, "literal",
                                  "%s -> %s" % (t.text, r)))
        if (t.text in ("+", "-") and 0 < i < len(toks) - 1
                and operand_end(toks[i - 1]) and toks[i + 1].text == "1"):
            r = "-" if t.text == "+" else "+"
            out.append(Mutant(path, t.start, t.end, r, "plus-minus-one",
                              "'%s 1' -> '%s 1'" % (t.text, r)))
    return out


def control_closers(toks):
    """Indexes of the ')' that end an if/while/for/switch head."""
    out = set()
    for i, t in enumerate(toks[:-1]):
        if t.text in CONTROL and toks[i + 1].text == "(":
            out.add(match_close(toks, i + 1))
    return out


def call_statement(toks, i):
    """End index (the ';') of a call statement starting at toks[i]."""
    j = i
    if toks[j].text == "(" and j + 2 < len(toks) and \
            toks[j + 1].text == "void" and toks[j + 2].text == ")":
        j += 3
    if j + 1 >= len(toks) or toks[j].kind != "id" or toks[j + 1].text != "(":
        return None
    if toks[j].text in KEYWORDS or toks[j].text in NOT_DELETED:
        return None
    close = match_close(toks, j + 1)
    if close + 1 < len(toks) and toks[close + 1].text == ";":
        return close + 1
    return None


def statement_start(toks, i, closers):
    """Whether a statement may start at toks[i] (i > 0)."""
    prev = toks[i - 1].text
    if prev in (";", "{", "}", "else") or (i - 1) in closers:
        return True
    if prev != ":" or i < 3:
        return False  # not a label: maybe the ':' of a '?:'
    return toks[i - 2].text == "default" or \
        toks[i - 3].text in (";", "{", "}", "case")


def call_mutants(path, toks):
    """Each statement that is only a call, replaced by a null statement."""
    out, closers, depth, parens = [], control_closers(toks), 0, 0
    for i, t in enumerate(toks):
        depth += {"{": 1, "}": -1}.get(t.text, 0)
        parens += {"(": 1, ")": -1}.get(t.text, 0)
        if depth == 0 or parens > (1 if t.text == "(" else 0) or i == 0:
            continue
        if not statement_start(toks, i, closers):
            continue
        end = call_statement(toks, i)
        if end is not None:
            name = toks[i].text if toks[i].kind == "id" else toks[i + 3].text
            out.append(Mutant(path, t.start, toks[end].end, "(void)0;",
                              "call-removed", "%s(...) deleted" % name))
    return out


def return_values(type_toks):
    """What a forced return at the start of a function returns."""
    names = [t.text for t in type_toks if t.text not in ("static", "inline")]
    if names == ["void"]:
        return [""]
    if names == ["mm_status_t"]:
        return ["MM_OK"]
    if names == ["bool"]:
        return ["true", "false"]
    if names and names[0] == "struct" and "*" not in names:
        return []
    return ["0"]


def return_mutants(path, toks):
    """A return inserted as the first statement of each function body."""
    out, depth, decl_start = [], 0, 0
    for i, t in enumerate(toks):
        if depth == 0 and t.text in (";", "}"):
            decl_start = i + 1
        if t.text == "{":
            if depth == 0 and i > 0 and toks[i - 1].text == ")":
                out += function_returns(path, toks, decl_start, i)
            depth += 1
        elif t.text == "}":
            depth -= 1
            if depth == 0:
                decl_start = i + 1
    return out


def function_returns(path, toks, start, brace):
    name = None
    for k in range(start, brace):
        if toks[k].kind == "id" and toks[k + 1].text == "(":
            name = k
            break
    if name is None:
        return []
    out = []
    for v in return_values(toks[start:name]):
        stmt = " return%s;" % ((" " + v) if v else "")
        out.append(Mutant(path, toks[brace].end, toks[brace].end, stmt,
                          "early-return",
                          "%s() starts with 'return%s;'" %
                          (toks[name].text, (" " + v) if v else "")))
    return out


def text_mutants(path, text):
    toks = tokenize(text)
    muts = expr_mutants(path, toks) + call_mutants(path, toks) + \
        return_mutants(path, toks)
    muts.sort(key=lambda m: (m.start, m.end, m.kind, m.repl))
    for n, m in enumerate(muts):
        m.id = "%s#%d" % (path, n)
        m.line = text.count("\n", 0, m.start) + 1
    return muts


SELF_TEST_C = r"""#include <stdbool.h>
#define LESS(a, b) ((a) < (b))
/* a < b && c */
static const char *s = "x < y || z(1);";
mm_status_t g(int a, int b)
{
	if (a < b)
		f(a);
	MM_ASSERT(a != 0x10u);
	for (a = 0; h(a); a++)
		(void)k(a);
	b = a ? b : k(b);
	switch (a) {
	case 2:
		f(b);
	}
	return a && b ? y + 1 : 0;
}
static void v(void)
{
}
bool p(void)
{
	return true;
}
"""

SELF_TEST_EXPECT = [
    ("relational", "if (a <= b)"), ("relational", "if (a >= b)"),
    ("call-removed", "if (a < b)\n\t\t(void)0;"),
    ("literal", "MM_ASSERT(a != 0x11u)"), ("literal", "a != 0xfu"),
    ("relational", "MM_ASSERT(a == 0x10u)"),
    ("literal", "for (a = 1;"),
    ("call-removed", "for (a = 0; h(a); a++)\n\t\t(void)0;"),
    ("call-removed", "case 2:\n\t\t(void)0;"),
    ("literal", "case 3:"), ("literal", "case 1:"),
    ("logical", "return a || b"), ("plus-minus-one", "y - 1 : 0"),
    ("literal", "y + 2 :"), ("literal", "y + 0 :"), ("literal", ": 1;"),
    ("early-return", "b)\n{ return MM_OK;"),
    ("early-return", "v(void)\n{ return;"),
    ("early-return", "p(void)\n{ return true;"),
    ("early-return", "p(void)\n{ return false;"),
]


def self_test(out=sys.stdout):
    """The operators on a fixed snippet: each expected change is made,
    nothing else is, and nothing inside comments, strings or preprocessor
    lines. Exits non-zero on the first difference."""
    muts = text_mutants("self-test.c", SELF_TEST_C)
    got = [(m.kind, m.apply(SELF_TEST_C)) for m in muts]
    for kind, snippet in SELF_TEST_EXPECT:
        if not any(k == kind and snippet in t for k, t in got):
            sys.exit("mutate: self-test: no %s mutant giving %r" %
                     (kind, snippet))
    if len(muts) != len(SELF_TEST_EXPECT):
        sys.exit("mutate: self-test: %d mutants, expected %d:\n%s" %
                 (len(muts), len(SELF_TEST_EXPECT),
                  "\n".join(m.describe() for m in muts)))
    out.write("mutate: self-test: %d mutants as expected\n" % len(muts))

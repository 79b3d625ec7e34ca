"""French typography of the catalogue: what ``tests/test_i18n.py`` checks, and a fixer.

French writes a typographic apostrophe (U+2019, not ') and a no-break space before the "high"
punctuation: U+00A0 before « : » and inside guillemets (« … »), U+202F (narrow no-break
space) before ; ! and ?. The space never breaks, so a line never starts with « : ».

Placeholders (``%(name)s``, ``{name}``), HTML tags and entities, URLs and code (an HTTP
header) are left as they are, as are times and ratios ("02:26", "3:1").

After translating new strings, fix what can be decided without a reader::

    .venv/bin/python -m tests.french_typography            # rewrites locale/fr/LC_MESSAGES/django.po
    .venv/bin/python -m tests.french_typography --check    # lists what is wrong, changes nothing
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path

NBSP = "\u00a0"  # before : and inside « »
NNBSP = "\u202f"  # narrow, before ; ! ?
SPACES = f" {NBSP}{NNBSP}"
CATALOGUE = Path(__file__).resolve().parent.parent / "locale" / "fr" / "LC_MESSAGES" / "django.po"

# Text that is not French prose: left untouched by the checks and the fixer.
PROTECTED = re.compile(
    r"%\([^)]+\)[sdfr]|%[sdfr%]"  # printf placeholders
    r"|\{\{?[^}]*\}\}?"  # str.format and template placeholders
    r"|<[^>]*>"  # HTML tags and their attributes
    r"|&#?\w+;"  # HTML entities
    r"|\b(?:https?|mailto):\S+|\bwww\.\S+"  # addresses
    r"|\S+@\S+\.\w+"  # email addresses
    r"|`[^`]*`"  # code
    r"|\bAuthorization: Token\b"  # an HTTP header, as the client sends it
    r"|\d:\d"  # times and ratios: 02:26, 3:1
)
# Private-use characters stand for the protected spans while the rules run.
PLACEHOLDER_BASE = 0xE000


def _masked(text: str) -> tuple[str, list[str]]:
    spans = []

    def keep(match):
        spans.append(match.group(0))
        return chr(PLACEHOLDER_BASE + len(spans) - 1)

    return PROTECTED.sub(keep, text), spans


def _unmasked(text: str, spans: list[str]) -> str:
    return re.sub("[\ue000-\uf8ff]", lambda match: spans[ord(match.group(0)) - PLACEHOLDER_BASE], text)


def problems(text: str) -> list[str]:
    """What breaks French typography in ``text`` (empty when nothing does)."""
    masked, _spans = _masked(text)
    found = []
    if "'" in masked:
        found.append("a straight apostrophe ' (write ’)")
    if re.search(rf"(?<=[^{NBSP}]):", masked):
        found.append("« : » without a no-break space U+00A0 before it")
    for mark in ";!?":
        if re.search(rf"(?<=[^{NNBSP}]){re.escape(mark)}", masked):
            found.append(f"« {mark} » without a narrow no-break space U+202F before it")
    if re.search(rf"«(?!{NBSP})", masked):
        found.append("« without a no-break space U+00A0 after it")
    if re.search(rf"(?<!{NBSP})»", masked):
        found.append("» without a no-break space U+00A0 before it")
    return found


def fixed(text: str) -> str:
    """``text`` with French typography: what ``problems`` finds, put right."""
    masked, spans = _masked(text)
    masked = masked.replace("'", "’")
    masked = re.sub(rf"[{SPACES}]*:", f"{NBSP}:", masked)
    masked = re.sub(rf"[{SPACES}]*([;!?])", rf"{NNBSP}\1", masked)
    masked = re.sub(rf"«[{SPACES}]*", f"«{NBSP}", masked)
    masked = re.sub(rf"[{SPACES}]*»", f"{NBSP}»", masked)
    # A mark that opens the text (a label's end, say) has nothing to stay with: no space before it.
    masked = re.sub(rf"^[{NBSP}{NNBSP}]([:;!?])", r"\1", masked)
    return _unmasked(masked, spans)


def translations(entry) -> list[str]:
    """The French texts of a catalogue entry (one, or one per plural form)."""
    return list(entry.msgstr_plural.values()) if entry.msgstr_plural else [entry.msgstr]


def main(argv: list[str]) -> int:
    import polib

    catalogue = polib.pofile(str(CATALOGUE), wrapwidth=0)
    wrong = 0
    for entry in catalogue:
        if entry.obsolete:
            continue
        for text in translations(entry):
            if problems(text):
                wrong += 1
                print(f"{entry.msgid!r}\n    {text!r}\n -> {fixed(text)!r}")
        if "--check" not in argv:
            if entry.msgstr_plural:
                entry.msgstr_plural = {form: fixed(text) for form, text in entry.msgstr_plural.items()}
            else:
                entry.msgstr = fixed(entry.msgstr)
    if "--check" not in argv:
        catalogue.save(str(CATALOGUE))
        if msgcat := shutil.which("msgcat"):  # wrapped as gettext wraps, as `make messages` leaves it
            subprocess.run([msgcat, str(CATALOGUE), "-o", str(CATALOGUE)], check=True)
    print(f"{wrong} French text(s) {'to fix' if '--check' in argv else 'fixed'}.")
    return 1 if wrong and "--check" in argv else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

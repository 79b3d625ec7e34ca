"""Reading a CNIL model register into a register document: its list sheet, its record
sheets (found by their labels), their actors, data, people, recipients, measures and
transfers."""

import dataclasses
import enum
import functools
import re

from django.utils import translation
from django.utils.translation import gettext as _

from core.workbooks import UnreadableFile, open_workbook
from inventory.reference import EEA
from processing.models import ProcessingActivity, RetentionLine
from processing.reports.cnil.countries import country_code
from processing.reports.cnil.retention_text import DURATION, _fold, parse_retention
from processing.reports.cnil.sheets import (
    _find,
    _is_reference_label,
    _Line,
    _list_header_row,
    _load_sheets,
    _Problems,
    _Sheet,
    _walk,
)
from processing.reports.cnil.vocabulary import (
    ALL_DATA_LABEL,
    CATEGORY_ROWS,
    CNIL_EXAMPLE,
    GUARANTEES,
    MEASURE_TYPES,
    MECHANISM_PREFIX,
    ORGANISATION_PREFIX,
    OTHER_ROW,
    RECIPIENT_TYPES,
    SAFEGUARDS_PREFIX,
    CategoryRow,
    Kind,
    Measure,
    Mechanism,
    _date,
    _has_keyword,
    _key,
    _postcode,
    _text,
)
from processing.reports.document import ACTIVITY_FIELDS, FORMAT, PART_FIELDS, VERSION
from processing.reports.problems import ERROR, Reading
from processing.reports.records import record_of

# --- Reading: the list sheet ---------------------------------------------------------------

CONTACT_LABELS = {
    "nom": "last_name",
    "prenom": "first_name",
    "adresse": "address",
    "adresse mel": "email",
    "adresse mail": "email",
    "adresse e-mail": "email",
    "courriel": "email",
    "email": "email",
    "code postal": "postcode",
    "ville": "city",
    "pays": "country",
    "telephone": "phone",
    "societe (si dpo externe)": "company",
    "societe": "company",
}


def _contact_blocks(rows: list[list]) -> dict[str, dict]:
    """The contact blocks above the list of activities: "Nom :" then its value to the right."""
    blocks: dict[str, dict] = {}
    role = None
    for row in rows:
        heading = _key(_text(row[0])) if row else ""
        if heading.startswith("coordonnees du responsable"):
            role = "controller"
        elif heading.startswith("coordonnees du representant"):
            role = "representative"
        elif heading.startswith("coordonnees du delegue") or "(dpo)" in heading:
            role = "dpo"
        if role is None:
            continue
        for col, value in enumerate(row[1:-1], start=1):
            field = CONTACT_LABELS.get(_key(_text(value))) if isinstance(value, str) and value.strip() else None
            if field and not (isinstance(row[col + 1], str) and _key(row[col + 1]) in CONTACT_LABELS):
                raw = row[col + 1]
                blocks.setdefault(role, {})[field] = _postcode(raw) if field == "postcode" else _text(raw)
    return {role: _contact(fields) for role, fields in blocks.items() if any(fields.values())}


def _contact(fields: dict) -> dict:
    name = " ".join(part for part in (fields.get("first_name", ""), fields.get("last_name", "")) if part)
    contact = {key: fields.get(key, "") for key in ("address", "postcode", "city", "country", "phone", "email")}
    return {"name": name, "company": fields.get("company", ""), **contact}


@dataclasses.dataclass
class _ListEntry:
    index: int
    name: str
    reference: str
    purpose: str
    sensitive: bool
    dates: list[str]


def _read_list_sheet(sheet: _Sheet, problems: _Problems) -> tuple[dict[str, dict], list[_ListEntry]]:
    header = _list_header_row(sheet)
    columns = {_key(_text(value)): col for col, value in enumerate(sheet.rows[header]) if _text(value)}
    above = (
        {_key(_text(value)): col for col, value in enumerate(sheet.rows[header - 1]) if _text(value)} if header else {}
    )

    def find(prefixes, default=None):
        return next((col for key, col in {**above, **columns}.items() if key.startswith(prefixes)), default)

    name_col = columns["nom du traitement"]
    reference_col = next(col for key, col in columns.items() if _is_reference_label(key))
    purpose_col, sensitive_col = find("finalite"), find("donnees sensibles")
    date_cols = (find("date de creation"), find(("derniere mise a jour", "mise a jour")))
    entries = []
    for index in range(header + 1, len(sheet.rows)):
        line = _Line(sheet, index, "list", columns, "", sheet.rows[index])
        name, reference = line.text(name_col), line.text(reference_col)
        if not (name or reference) or _is_example(name, reference):
            continue
        purpose = line.text(purpose_col) if purpose_col is not None else ""
        sensitive = sensitive_col is not None and _key(line.text(sensitive_col)) in ("oui", "yes", "x")
        dates = [_date_text(line, col, problems) if col is not None else "" for col in date_cols]
        entries.append(_ListEntry(index, name, reference, purpose, sensitive, dates))
    return _contact_blocks(sheet.rows[:header]), entries


def _date_text(line: _Line, col: int, problems: _Problems) -> str:
    """A date cell as ISO text; an unreadable one is kept as written, with a problem."""
    raw, text = line.raw(col), line.text(col)
    if not text:
        return ""
    date = _date(raw)
    if date is None:
        message = _("“%(value)s” is not a date: expected a date such as 26/05/2018.") % {"value": text}
        problems.add(line.sheet.name, line.index, col, message)
    return date or text


def _is_example(name: str, reference: str) -> bool:
    """The model's example as the CNIL publishes it (the list row adds "(EXEMPLE)" to its name)."""
    name_key = _key(name)
    return name_key.startswith("(exemple)") or (name_key, _key(reference)) == CNIL_EXAMPLE


# --- Reading: a record sheet ---------------------------------------------------------------


@dataclasses.dataclass
class _Record:
    sheet: str
    activity: dict
    actors: dict[str, dict]
    dates: list[str]
    reference_cell: tuple[int | None, int | None]


def _read_record_sheet(sheet: _Sheet, label_col: int, problems: _Problems) -> _Record | None:
    lines = list(_walk(sheet, label_col))
    value_col = label_col + 1  # the model's values are right of their labels
    labelled = {line.key: line for line in reversed(lines) if line.key}  # the first of each label wins
    name = labelled["nom du traitement"].text(value_col) if "nom du traitement" in labelled else ""
    reference_line = next((line for line in lines if _is_reference_label(line.key)), None)
    reference = reference_line.text(value_col) if reference_line else ""
    purpose = labelled["finalite principale"].text(value_col)
    if not (name or purpose) or _is_example(name, reference):
        return None
    _warn_if_a_changed_example(sheet, reference, problems)
    activity = _blank_activity()
    activity |= {"name": name, "reference": reference, "purpose": purpose}
    activity["sub_purposes"] = "\n".join(
        line.text(value_col) for line in lines if line.key.startswith("sous-finalite") and line.text(value_col)
    )
    dates = [
        next((_date_text(line, value_col, problems) for line in lines if line.key.startswith(prefixes)), "")
        for prefixes in ("date de creation", ("mise a jour", "derniere mise a jour"))
    ]
    actors = _read_sections(activity, lines, problems)
    reference_cell = (reference_line.index, value_col) if reference_line else (None, None)
    return _Record(sheet.name, activity, actors, dates, reference_cell)


def _warn_if_a_changed_example(sheet: _Sheet, reference: str, problems: _Problems) -> None:
    title = _key(_text(sheet.rows[0][0])) if sheet.rows and sheet.rows[0] else ""
    if title.startswith("exemple") or "exemple" in _key(reference):
        message = _("This sheet looks like the CNIL's example but was changed: it was read as one of your activities.")
        problems.add(sheet.name, None, None, message)


def _read_sections(activity: dict, lines: list, problems: _Problems) -> dict:
    """The record sheet's sections into ``activity``: joint controllers, data, people, recipients, measures,
    transfers. Returns the actors the sheet names (the organisation's identity is read from them)."""

    def section(name):
        return [line for line in lines if line.section == name]

    actors = _read_actors(section("actors"))
    parties = actors["client"] or actors["joint"]
    activity["controller_parties"] = [
        _part(
            "controller_parties",
            name=party["name"],
            contact=_contact_text(party),
            representative=party.get("representative", ""),
            dpo_contact=party.get("dpo_contact", ""),
        )
        for party in parties
    ]
    if actors["client"] or "processor" in actors:  # a processor's record (Art. 30(2))
        activity["role"] = ProcessingActivity.Role.PROCESSOR
    elif activity["controller_parties"]:
        activity["role"] = ProcessingActivity.Role.JOINT_CONTROLLER
    _read_data(activity, section("data"), problems)
    activity["data_subjects"] = _read_subjects(section("subjects"), problems)
    activity["recipients"] = _read_recipients(section("recipients"), problems)
    activity["security_measures"] = _read_measures(section("measures"), problems)
    _read_transfers(activity, section("transfers"), problems)
    return actors


ACTOR_ROLES = (  # a label's start -> the actor (first match wins: the clients' label starts like the controller's)
    ("representant de ce responsable", "party_representative"),  # Registre's own lines under another controller
    ("delegue a la protection des donnees de ce responsable", "party_dpo"),
    ("responsable(s) du traitement pour le compte", "client"),
    ("responsables du traitement pour le compte", "client"),
    ("responsable du traitement pour le compte", "client"),
    ("responsable du traitement", "controller"),
    ("sous-traitant", "processor"),
    ("delegue", "dpo"),
    ("societe du dpo", "dpo_company"),
    ("representant", "representative"),
    ("responsable(s) conjoint", "joint"),
    ("responsables conjoint", "joint"),
    ("responsable conjoint", "joint"),
)
ACTOR_COLUMNS = (
    ("name", "nom", 1),
    ("address", "adresse", 2),
    ("postcode", "code postal", 3),
    ("city", "ville", 4),
    ("country", "pays", 5),
    ("phone", "telephone", 6),
    ("email", "adresse mel", 7),
)


PARTY_DETAILS = {"party_representative": "representative", "party_dpo": "dpo_contact"}


def _read_actors(lines: list[_Line]) -> dict:
    actors: dict = {"joint": [], "client": []}
    last_party = None
    for line in lines:
        role = next((role for prefix, role in ACTOR_ROLES if line.key.startswith(prefix)), None)
        if role is None:
            continue
        if role in PARTY_DETAILS:
            if last_party is not None and line.text(line.column("nom", 1)):
                last_party[PARTY_DETAILS[role]] = line.text(line.column("nom", 1))
            continue
        fields = {field: line.text(line.column(header, default)) for field, header, default in ACTOR_COLUMNS}
        fields["postcode"] = _postcode(line.raw(line.column("code postal", 3)), fields["country"])
        if not any(fields.values()):
            continue
        if role in ("joint", "client"):
            actors[role].append(fields)
            last_party = fields
        else:
            actors.setdefault(role, fields)
    if "dpo_company" in actors:
        actors.setdefault("dpo", {})["company"] = actors.pop("dpo_company")["name"]
    return actors


def _contact_text(contact: dict) -> str:
    place = " ".join(part for part in (contact.get("postcode", ""), contact.get("city", "")) if part)
    parts = (
        contact.get("address", ""),
        place,
        contact.get("country", ""),
        contact.get("phone", ""),
        contact.get("email", ""),
    )
    return "\n".join(part for part in parts if part)


def _split_names(description: str) -> list[str]:
    """One data field per item of a description ("Nom, prénom; adresse"), each once."""
    unique: dict[str, str] = {}
    for name in re.split(r"[\n;,]", description):
        if name := name.strip(" .•*-"):
            unique.setdefault(_key(name), name)
    return list(unique.values())


def _read_data(activity: dict, lines: list[_Line], problems: _Problems) -> None:
    """Each row of a category: its data fields and its retention period."""
    seen: dict[str, dict] = {}
    for line in lines:
        description_col = line.column("description", 1)
        retention_col = line.column("duree de conservation", 4)
        description, retention = line.text(description_col), line.text(retention_col)
        if not (description or retention):
            continue
        row = _category_row(line, problems)
        if row is not None:
            names = _split_names(description) or [row.field_name]
            for name in names:
                _add_data_field(activity, seen, name, row, line, description_col, problems)
            activity["criterion_sensitive"] = activity["criterion_sensitive"] or row.sensitive
        for text in _retention_periods(retention):
            _add_retention(activity, text, row.category if row else "", line, retention_col, problems)


def _category_row(line: _Line, problems: _Problems) -> CategoryRow | None:
    """The model's row a line is ("Données concernant la santé"); None for all the data."""
    if line.key.startswith(_key(ALL_DATA_LABEL)):
        return None
    row = next((row for row in CATEGORY_ROWS if _has_keyword(line.key, row.keywords)), None)
    if row is None:
        label = line.label or "—"
        message = _("The row “%(value)s” is not one of the model's categories of data: its data was read as “Other”.")
        problems.add(line.sheet.name, line.index, line.label_col, message % {"value": label})
        row = OTHER_ROW
    return row


def _add_data_field(activity, seen, name, row, line, col, problems) -> None:
    key = _key(name)
    if key in seen:
        if (seen[key]["category"], seen[key]["special_category"]) != (row.category, row.special_category):
            message = _("“%(value)s” is listed under two categories of data; it was kept under the first.")
            problems.add(line.sheet.name, line.index, col, message % {"value": name})
        return
    seen[key] = _part("data_fields", name=name[:200], category=row.category, special_category=row.special_category)
    activity["data_fields"].append(seen[key])


def _retention_periods(text: str) -> list[tuple[str, str]]:
    """A cell's periods, each with its legal reference: a new line starts a new period only
    when it has a duration of its own and so has the period before (Registre writes one
    period a line; DPOs often wrap one sentence over two)."""
    periods: list[list[str]] = []
    for line in (line for line in text.split("\n") if line.strip()):
        if re.match(r"\s*references?\s*:", _fold(line)) and periods:
            periods[-1][1] = line.split(":", 1)[1].strip()
        elif periods and not (DURATION.search(_fold(line)) and DURATION.search(_fold(periods[-1][0]))):
            periods[-1][0] += " " + line
        else:
            periods.append([line, ""])
    return [(period, reference) for period, reference in periods]


def _add_retention(activity, period: tuple[str, str], category: str, line: _Line, col: int, problems) -> None:
    text, legal_reference = period
    fields = parse_retention(text)
    if "criteria" in fields:
        message = _("No duration could be read in “%(value)s”: it was kept as the criteria of the retention period.")
        problems.add(line.sheet.name, line.index, col, message % {"value": text})
    retention = _part("retention_lines", data_category=category, legal_reference=legal_reference, **fields)
    activity["retention_lines"].append(retention)


def _read_subjects(lines: list[_Line], problems: _Problems) -> list[dict]:
    subjects: dict[str, dict] = {}
    for line in lines:
        kind_col = line.column("description", 1)
        kind, details = line.text(kind_col), line.text(line.column("precisions", 4))
        if not (kind or details):
            continue
        if not kind or _key(kind).startswith("autre"):
            name, description = details or kind, ""
            if not details:
                message = _("“%(value)s”: say which people these are in the “Précisions” column.") % {"value": kind}
                problems.add(line.sheet.name, line.index, kind_col, message)
        else:
            name, description = kind, details
        _merge(subjects, name, _part("data_subjects", name=name[:200], description=description), "description")
    return list(subjects.values())


def _merge(rows: dict[str, dict], name: str, row: dict, text_field: str) -> None:
    """Add ``row`` under ``name``, or join its text to the row of the same name already there."""
    key = _key(name)
    if key not in rows:
        rows[key] = row
    elif row[text_field] and row[text_field] not in rows[key][text_field]:
        rows[key][text_field] = "\n".join(filter(None, (rows[key][text_field], row[text_field])))


def _vocabulary_code(text: str, vocabulary, default, line: _Line, col: int, message: str, problems) -> str:
    """The code of a CNIL list value; an unknown one is read as ``default`` with a warning."""
    code = next((code for keyword, code, _label in vocabulary if _has_keyword(_key(text), (keyword,))), None)
    if code is None:
        problems.add(line.sheet.name, line.index, col, message % {"value": text})
        return default
    return code


def _read_recipients(lines: list[_Line], problems: _Problems) -> list[dict]:
    recipients: dict[str, dict] = {}
    for line in lines:
        kind_col = line.column("type de destinataire", 1)
        kind_text, details = line.text(kind_col), line.text(line.column("precisions", 4))
        if not (kind_text or details):
            continue
        message = _("“%(value)s” is not one of the CNIL's types of recipient: it was read as “Other”.")
        kind = (
            _vocabulary_code(kind_text, RECIPIENT_TYPES, Kind.OTHER, line, kind_col, message, problems)
            if kind_text
            else Kind.OTHER
        )
        name = (details or kind_text)[:200]
        _merge(recipients, name, _part("recipients", name=name, kind=kind), "description")
    return list(recipients.values())


def _read_measures(lines: list[_Line], problems: _Problems) -> list[dict]:
    """One measure per kind (Registre's rule): details of a kind given twice are joined."""
    measures: dict[str, dict] = {}
    for line in lines:
        kind_col = line.column("type de mesure", 1)
        kind_text, details = line.text(kind_col), line.text(line.column("precisions", 4))
        if not (kind_text or details):
            continue
        message = _("“%(value)s” is not one of the CNIL's security measures: it was read as “Other measures”.")
        kind = _vocabulary_code(kind_text, MEASURE_TYPES, Measure.OTHER, line, kind_col, message, problems)
        if kind == Measure.OTHER and kind_text and not _has_keyword(_key(kind_text), ("autres mesures",)):
            details = "\n".join(filter(None, (kind_text, details)))
        _merge(measures, kind, _part("security_measures", kind=kind, details=details), "details")
    return list(measures.values())


# --- Reading: transfers --------------------------------------------------------------------


@functools.cache
def _mechanism_labels() -> dict[str, str]:
    labels = {}
    for language in ("fr", "en"):
        with translation.override(language):
            labels |= {_key(str(label)): code for code, label in Mechanism.choices}
    return labels


def _read_transfers(activity: dict, lines: list[_Line], problems: _Problems) -> None:
    for line in lines:
        columns = {
            "recipient": line.column("destinataire", 1),
            "country": line.column("pays", 2),
            "guarantee": line.column("type de garantie", 3),
            "documentation": line.column("liens", 5),
        }
        texts = {field: line.text(col) for field, col in columns.items()}
        if not any(texts.values()):
            continue
        transfer = _part("transfers", recipient=texts["recipient"][:200] or None)
        transfer |= _destination(texts["country"], line, columns["country"], problems)
        transfer |= _documentation(texts["documentation"])
        if not transfer["mechanism"]:
            transfer["mechanism"] = _guarantee(texts["guarantee"], line, columns["guarantee"], problems)
        activity["transfers"].append(transfer)
        if transfer["recipient"]:
            _ensure_recipient(activity, transfer["recipient"], transfer["country"])


def _destination(text: str, line: _Line, col: int, problems: _Problems) -> dict:
    if _key(text).startswith(_key(ORGANISATION_PREFIX)):
        return {"international_organisation": text.split(":", 1)[1].strip()[:200]}
    if not text:
        problems.add(line.sheet.name, line.index, col, _("The country the data goes to is missing."), ERROR)
        return {}
    code = country_code(text)
    if code is None:
        message = _(
            "“%(value)s” is not a country Registre knows: give its name in French or English (“Inde”, “India”)."
        )
        problems.add(line.sheet.name, line.index, col, message % {"value": text}, ERROR)
    elif code in EEA:
        message = _("“%(value)s” is in the European Economic Area: data goes there without a transfer tool.")
        problems.add(line.sheet.name, line.index, col, message % {"value": text})
    return {"country": code}


def _documentation(text: str) -> dict:
    """The links, and the exact transfer tool and safeguards Registre writes below them."""
    fields: dict = {"documentation": [], "mechanism": "", "safeguards": ""}
    for line in text.split("\n"):
        key = _key(line)
        if key.startswith(_key(MECHANISM_PREFIX)) and _key(line.split(":", 1)[1]) in _mechanism_labels():
            fields["mechanism"] = _mechanism_labels()[_key(line.split(":", 1)[1])]
        elif key.startswith(_key(SAFEGUARDS_PREFIX)):
            fields["safeguards"] = line.split(":", 1)[1].strip()
        elif line:
            fields["documentation"].append(line)
    fields["documentation"] = "\n".join(fields["documentation"])[:500]
    return fields


def _guarantee(text: str, line: _Line, col: int, problems: _Problems) -> str:
    """The transfer tool a CNIL guarantee names, with what the DPO must still check."""
    if not text:
        return ""
    found = next((code for keywords, code, _word in GUARANTEES if _has_keyword(_key(text), keywords)), None)
    where = (line.sheet.name, line.index, col)
    if found is None:
        expected = ", ".join(word for _keywords, _code, word in GUARANTEES)
        message = _("“%(value)s” is not one of the CNIL's transfer guarantees (%(expected)s).")
        problems.add(*where, message % {"value": text, "expected": expected}, ERROR)
        return ""
    if found == Mechanism.SCC_MODULE_2:
        message = _("“%(value)s” was read as the 2021 clauses, module 2 (controller to processor): check the module.")
        problems.add(*where, message % {"value": text})
    elif found == Mechanism.PRIVACY_SHIELD:
        message = _("The Privacy Shield was invalidated in 2020: this transfer needs another transfer tool.")
        problems.add(*where, message)
    elif found == "":
        message = _("“%(value)s”: say which derogation of Art. 49(1) applies; the transfer tool was left empty.")
        problems.add(*where, message % {"value": text})
    return found


def _ensure_recipient(activity: dict, name: str, country: str | None) -> None:
    """The importer of a transfer is one of the activity's recipients, located in its country."""
    recipient = next((row for row in activity["recipients"] if _key(row["name"]) == _key(name)), None)
    if recipient is None:
        recipient = _part("recipients", name=name, kind=Kind.OTHER)
        activity["recipients"].append(recipient)
    if recipient["country"] is None:
        recipient["country"] = country


# --- Reading: the document -----------------------------------------------------------------

NONE_DEFAULTS = {
    "approximate_count", "country", "international_organisation", "recipient", "system", "tia_date",
    "duration", "archive_duration", "oldest_record_on", "hosting_provider",
}  # fmt: skip
FALSE_DEFAULTS = {"is_vulnerable", "has_processing_agreement", "is_dpf_certified", "adequacy_scope_confirmed"}


def _part(part: str, **values) -> dict:
    """A row of one of an activity's parts with every key of PART_FIELDS, empty unless given."""
    row = {
        name: None if name in NONE_DEFAULTS else False if name in FALSE_DEFAULTS else "" for name in PART_FIELDS[part]
    }
    if part == "systems":
        row["countries"] = []
    if part == "retention_lines":
        row["end_action"] = RetentionLine.EndAction.DELETE
    unknown = set(values) - set(row)
    if unknown:
        raise KeyError(f"not a field of {part}: {sorted(unknown)}")
    return row | values


def _blank_activity() -> dict:
    fields = {name: ProcessingActivity._meta.get_field(name).get_default() for name in ACTIVITY_FIELDS}
    return fields | {"status": ProcessingActivity.Status.DRAFT} | {part: [] for part in PART_FIELDS}


def read_cnil_workbook(data: bytes) -> Reading:
    """The register document a CNIL model register holds, and the problems found reading it.

    Raises ``UnreadableFile`` when the file is not a spreadsheet, has too many sheets, or
    holds neither the model's list of activities nor a record sheet.
    """
    problems = _Problems()
    sheets = _load_sheets(open_workbook(data), problems)
    list_sheet = next((sheet for sheet in sheets if _list_header_row(sheet) is not None), None)
    record_sheets = [(sheet, found[1]) for sheet in sheets if (found := _find(sheet, "finalite principale".__eq__))]
    if list_sheet is None and not record_sheets:
        raise UnreadableFile(
            _(
                "This is not the CNIL model register: Registre found neither its list of processing activities "
                "nor a record sheet (“Fiche de registre”)."
            )
        )
    contacts, entries = _read_list_sheet(list_sheet, problems) if list_sheet else ({}, [])
    records = [record for sheet, col in record_sheets if (record := _read_record_sheet(sheet, col, problems))]
    activities = _merge_list_entries(records, entries, list_sheet, problems)
    _give_references(activities, problems)
    if not activities:
        problems.add("", None, None, _("No processing activity was found: the register's record sheets are empty."))
    document = {
        "format": FORMAT,
        "version": VERSION,
        "generated_at": None,
        "language": "fr",
        "as_of": None,
        "scope": None,
        "organisation": _organisation(contacts, records[0].actors if records else {}),
        "activities": sorted(
            ({**record.activity, "record": record_of(record.activity["role"])} for record in activities),
            key=lambda activity: activity["reference"],
        ),
    }
    return Reading(_plain(document), list(problems))


def _plain(value):
    """The document with plain strings where the vocabulary used the models' choices."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value.value if isinstance(value, enum.Enum) else value


def _merge_list_entries(records: list[_Record], entries: list[_ListEntry], list_sheet, problems) -> list[_Record]:
    """Each record sheet completed from its row of the list (matched by reference, then name);
    a row of the list without a record sheet becomes an activity of its own."""
    remaining, list_only = list(entries), []
    for record in records:
        activity = record.activity
        entry = next((e for e in remaining if e.reference and _key(e.reference) == _key(activity["reference"])), None)
        entry = entry or next((e for e in remaining if e.name and _key(e.name) == _key(activity["name"])), None)
        if entry:
            remaining.remove(entry)
            activity["reference"] = activity["reference"] or entry.reference
            activity["purpose"] = activity["purpose"] or entry.purpose
            activity["criterion_sensitive"] = activity["criterion_sensitive"] or entry.sensitive
            record.dates = [own or listed for own, listed in zip(record.dates, entry.dates, strict=True)]
        activity["description"] = _dates_description(record.dates)
    for entry in remaining:
        activity = _blank_activity() | {"name": entry.name, "reference": entry.reference, "purpose": entry.purpose}
        activity |= {"criterion_sensitive": entry.sensitive, "description": _dates_description(entry.dates)}
        message = _("“%(name)s” is in the list of activities but has no record sheet: only its list row was read.")
        problems.add(list_sheet.name, entry.index, None, message % {"name": entry.name or entry.reference})
        list_only.append(_Record(list_sheet.name, activity, {}, entry.dates, (entry.index, None)))
    return records + list_only


def _dates_description(dates: list[str]) -> str:
    """The record sheet's dates, which the register document has no field for."""
    created, updated = dates
    with translation.override("fr"):
        parts = [
            _("Record sheet created on %(date)s.") % {"date": created} if created else "",
            _("Record sheet last updated on %(date)s.") % {"date": updated} if updated else "",
        ]
    return " ".join(part for part in parts if part)


def _give_references(records: list[_Record], problems: _Problems) -> None:
    """A reference for each activity without one (CNIL-001…), and an error for duplicates."""
    used = {_key(record.activity["reference"]): record for record in reversed(records) if record.activity["reference"]}
    number = 0
    for record in records:
        activity = record.activity
        if activity["reference"]:
            first = used[_key(activity["reference"])]
            if first is not record:
                message = _("The reference “%(reference)s” is already used by the sheet “%(other)s”.")
                values = {"reference": activity["reference"], "other": first.sheet}
                problems.add(record.sheet, *record.reference_cell, message % values, ERROR)
            continue
        number += 1
        while _key(f"CNIL-{number:03d}") in used:
            number += 1
        activity["reference"] = f"CNIL-{number:03d}"
        used[_key(activity["reference"])] = record
        message = _("This activity has no reference: it was given “%(reference)s”.")
        problems.add(record.sheet, *record.reference_cell, message % {"reference": activity["reference"]})


def _organisation(contacts: dict[str, dict], actors: dict) -> dict:
    """The header of the document: the list sheet's contact blocks, else the first record's actors."""
    controller = contacts.get("controller") or actors.get("controller") or actors.get("processor") or {}
    dpo = contacts.get("dpo") or actors.get("dpo") or {}
    representative = contacts.get("representative") or actors.get("representative") or {}
    dpo_name = dpo.get("name", "")
    if dpo.get("company"):
        dpo_name = f"{dpo_name} ({dpo['company']})" if dpo_name else dpo["company"]
    return {
        "name": controller.get("name", ""),
        "legal_identifier": "",
        **{field: controller.get(field, "") for field in ("address", "postcode", "city", "phone", "email")},
        "dpo": {"name": dpo_name, "email": dpo.get("email", ""), "phone": dpo.get("phone", "")},
        "representative": {"name": representative.get("name", ""), "contact": _contact_text(representative)},
    }

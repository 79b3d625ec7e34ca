import json

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Organisation
from discovery.models import Scan
from discovery.proposals import data_fields_by_kind
from discovery.scan import SAMPLE_SIZE, ScanError, scan
from inventory.models import System


class Command(BaseCommand):
    help = (
        "Scan a database that one of the organisation's systems holds, now, and say what personal data each column "
        "holds (read-only; no sampled value is kept or printed). --url: postgresql://…, mysql://… (or mariadb://…), "
        "sqlite:////path/to/file. With --json, one JSON document on standard output."
    )

    def add_arguments(self, parser):
        parser.add_argument("organisation", metavar="ORG_SLUG")
        parser.add_argument("system", metavar="SYSTEM_NAME")
        parser.add_argument("--url", required=True, help="The database to scan (its account should only read).")
        parser.add_argument("--json", action="store_true", help="Print one JSON document.")
        parser.add_argument("--sample", type=int, default=SAMPLE_SIZE, metavar="N", help="Rows sampled per table.")

    def handle(self, *args, organisation, system, url, json: bool, sample: int, **options):
        owner = Organisation.objects.filter(slug=organisation).first()
        if owner is None:
            raise CommandError(f"No organisation has the slug {organisation!r}.")
        found = System.objects.filter(organisation=owner, name=system).first()
        if found is None:
            raise CommandError(f"The organisation {owner.slug!r} has no system named {system!r}.")
        if not 1 <= sample <= 10_000:
            raise CommandError("--sample must be between 1 and 10000.")
        fields = data_fields_by_kind(owner)
        try:
            tables = scan(url, sample_size=sample, labels={code: field.name for code, field in fields.items()})
        except ScanError as error:
            raise CommandError(str(error)) from None
        document = {
            "system": found.name,
            "tables": [
                {
                    "schema": table.schema,
                    "table": table.name,
                    "rows": table.rows,
                    "error": str(Scan.Reason(table.error).label) if table.error else None,
                    "columns": [
                        {
                            "name": column.name,
                            "category": column.classification.category,
                            "special_category": column.classification.special_category,
                            "data_field": column.classification.data_field,
                            "data_field_exists": column.classification.kind in fields,
                            "confidence": column.classification.confidence,
                            "evidence": column.classification.evidence,
                            "review": column.classification.review,
                        }
                        for column in table.columns
                    ],
                }
                for table in tables
            ],
        }
        if json:
            self.stdout.write(_dumps(document))
            return
        for table in document["tables"]:
            where = f"{table['schema']}.{table['table']}" if table["schema"] else table["table"]
            self.stdout.write(f"{where} ({table['rows'] if table['rows'] is not None else '?'} rows)")
            if table["error"]:
                self.stdout.write(f"  not read: {table['error']}")
            for column in table["columns"]:
                if column["category"]:
                    shown = column["category"] + (
                        f"/{column['special_category']}" if column["special_category"] else ""
                    )
                    new = "" if column["data_field_exists"] else " (new)"
                    self.stdout.write(
                        f"  {column['name']}: {shown} → {column['data_field']}{new}, "
                        f"{column['confidence']:.2f} ({', '.join(column['evidence'])})"
                    )


def _dumps(document) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2)

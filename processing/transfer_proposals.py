"""Which destinations of an activity need a transfer row (Art. 30(1)(e), Chapter V).

Data leaves the EEA when a system stores it in a third country or a recipient established
there receives it. The form proposes a row for each such destination that no row covers;
the API and imports can ask the same question.
"""

from dataclasses import dataclass

from django.db.models import prefetch_related_objects

from inventory.models import Country, Recipient, System


@dataclass(frozen=True)
class Destination:
    country: Country
    system: System | None = None
    recipient: Recipient | None = None

    @property
    def key(self) -> str:
        """A stable name for the proposal, so that one the DPO declined is not proposed again."""
        importer = (
            f"system-{self.system.pk}" if self.system else f"recipient-{self.recipient.pk}" if self.recipient else ""
        )
        return f"{self.country.pk}:{importer}"

    def as_row(self) -> dict:
        row = {"country": self.country.pk}
        if self.system:
            row["system"] = self.system.pk
        if self.recipient:
            row["recipient"] = self.recipient.pk
        return row


def destinations_outside_the_eea(systems, recipients, extra_countries=()) -> list[Destination]:
    """Every (country, importer) outside the EEA of these systems and recipients. A system the organisation runs
    itself (no host) is no importer: storing data there is not a transfer (EDPB Guidelines 05/2021), so no row is
    proposed for it (the compliance watch asks for its risks to be assessed instead)."""
    systems = [system for system in systems if not system.is_self_operated]
    prefetch_related_objects(systems, "country_links__country")
    destinations = [
        Destination(link.country, system=system)
        for system in systems
        for link in system.country_links.all()
        if not link.country.is_eea
    ]
    destinations += [
        Destination(recipient.country, recipient=recipient)
        for recipient in recipients
        if recipient.country_id and not recipient.country.is_eea
    ]
    destinations += [Destination(country) for country in extra_countries if not country.is_eea]
    return destinations


def uncovered(destinations, transfer_rows) -> list[Destination]:
    """Destinations that no transfer row covers: a row to that country whose importer is the
    same system or recipient, or that names no importer."""
    rows = [(row.get("country"), row.get("recipient"), row.get("system")) for row in transfer_rows]

    def covered(destination):
        for country, recipient, system in rows:
            no_importer = recipient is None and system is None
            same = (destination.system and system == destination.system) or (
                destination.recipient and recipient == destination.recipient
            )
            if country == destination.country and (no_importer or same):
                return True
        return False

    return [destination for destination in destinations if not covered(destination)]

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


def _key(value):
    """A row's value as its primary key: forms give objects, the API and imports may give keys."""
    return getattr(value, "pk", value)


def uncovered(destinations, transfer_rows) -> list[Destination]:
    """Destinations that no transfer row covers: a row to that country that names no importer, or whose importer
    is the same recipient or system, or the same company: a system's host is the recipient that receives the data
    stored there, and a row naming a system names its host as the importer."""
    rows = [
        (_key(row.get("country", row.get("country_id"))), _key(row.get("recipient")), _key(row.get("system")))
        for row in transfer_rows
    ]

    # A row naming a system names, as its importer, the company hosting it.
    hosts = {item.system.pk: item.system.hosting_provider_id for item in destinations if item.system}

    def covered(destination):
        if destination.system:
            importers = {("system", destination.system.pk)}
            if destination.system.hosting_provider_id:
                importers.add(("recipient", destination.system.hosting_provider_id))
        elif destination.recipient:
            importers = {("recipient", destination.recipient.pk)}
            importers |= {("system", system) for system, host in hosts.items() if host == destination.recipient.pk}
        else:
            importers = set()
        for country, recipient, system in rows:
            if country != destination.country.pk:
                continue
            if (recipient is None and system is None) or {("system", system), ("recipient", recipient)} & importers:
                return True
        return False

    missing = [destination for destination in destinations if not covered(destination)]
    # A system and the company hosting it, both in that country: one row naming the company covers both.
    recipients = {
        (destination.country.pk, destination.recipient.pk) for destination in missing if destination.recipient
    }
    return [
        destination
        for destination in missing
        if not (destination.system and (destination.country.pk, destination.system.hosting_provider_id) in recipients)
    ]

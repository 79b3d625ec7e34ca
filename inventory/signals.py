"""What the catalogue tells the packages above it, which it does not import.

``catalogue_written`` is sent, inside the transaction, by the services that write entries without saving each one
(``NewCatalogueItems.write``): no ``post_save`` tells the compliance watch of those."""

from django.dispatch import Signal

catalogue_written = Signal()  # organisation_id: int

from django.contrib import admin

from processing.models import (
    ActivityDataSubject,
    ControllerParty,
    ProcessingActivity,
    RetentionLine,
    SecurityMeasure,
    Transfer,
)


class ActivityDataSubjectInline(admin.TabularInline):
    model = ActivityDataSubject
    extra = 0
    raw_id_fields = ["category"]


class ControllerPartyInline(admin.StackedInline):
    model = ControllerParty
    extra = 0


class TransferInline(admin.StackedInline):
    model = Transfer
    extra = 0
    raw_id_fields = ["recipient", "system"]


class RetentionLineInline(admin.StackedInline):
    model = RetentionLine
    extra = 0


class SecurityMeasureInline(admin.TabularInline):
    model = SecurityMeasure
    extra = 0


@admin.register(ProcessingActivity)
class ProcessingActivityAdmin(admin.ModelAdmin):
    """For superusers: the DPOs keep the register in the app; deleting for good happens here."""

    list_display = ["reference", "name", "organisation", "status", "updated_at"]
    list_filter = ["status", "organisation"]
    search_fields = ["reference", "name"]
    raw_id_fields = ["data_fields", "recipients", "systems"]
    inlines = [
        ActivityDataSubjectInline,
        ControllerPartyInline,
        TransferInline,
        RetentionLineInline,
        SecurityMeasureInline,
    ]

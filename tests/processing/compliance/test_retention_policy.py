"""The retention policy and the rules that use it; data kept beyond retention; DPIA likely but missing."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from inventory.models import DataSubjectCategory, System
from inventory.services import catalogue_item_create
from processing.compliance.models import Finding, RetentionPolicy
from processing.compliance.retention_references import SEEDS
from processing.compliance.rules.registry import load
from processing.compliance.selectors import shown
from processing.compliance.services import retention_policy_create, retention_policy_seed, retention_policy_update
from processing.services import activity_update

from ...inventory.factories import DataFieldFactory, SystemFactory
from .test_compliance import TODAY, draft, open_rules

pytestmark = pytest.mark.django_db

YEARS, MONTHS = "years", "months"


def line(duration, unit=YEARS, **extra):
    return {"duration": duration, "duration_unit": unit, **extra}


@pytest.fixture
def prospects(organisation):
    return catalogue_item_create(model=DataSubjectCategory, organisation=organisation, name="Prospects")


@pytest.fixture
def customers(organisation):
    return catalogue_item_create(model=DataSubjectCategory, organisation=organisation, name="Customers")


# --- Beyond the policy's maximum ---------------------------------------------------------


def test_a_period_longer_than_the_policy_allows_is_flagged(organisation, prospects):
    retention_policy_create(
        organisation=organisation, name="Prospects", subject_category=prospects, maximum=3, maximum_unit=YEARS
    )
    people = [{"category": prospects}]
    activity = draft(organisation, data_subjects=people, retention_lines=[line(36, MONTHS)])
    assert open_rules(organisation) == []
    activity.retention_lines.update(duration=37)
    assert open_rules(organisation) == ["retention.beyond_policy"]
    finding = Finding.objects.get()
    assert finding.params == {"periods": [["Prospects", [37, "months"], "max", 3, "years"]]}
    assert load()[finding.rule].render(finding.params) == (
        "This activity keeps data longer than your retention policy allows: Prospects: kept 37 months, at most "
        "3 years. Shorten the retention line, or correct the policy if it is the policy that is wrong."
    )
    with translation.override("fr"):
        assert "Prospects\u00a0: conservé 37 mois, au plus 3 ans" in load()[finding.rule].render(finding.params)


def test_an_intermediate_archive_counts_in_the_period(organisation, prospects):
    retention_policy_create(
        organisation=organisation, name="Prospects", subject_category=prospects, maximum=3, maximum_unit=YEARS
    )
    kept = line(2, end_action="archive", archive_duration=2, archive_duration_unit=YEARS)
    draft(organisation, data_subjects=[{"category": prospects}], retention_lines=[kept])
    assert open_rules(organisation) == ["retention.beyond_policy"]
    assert (
        "kept 2 years, then 2 years in an intermediate archive" in shown(Finding.objects.all(), organisation)[0].message
    )


def test_a_policy_applies_only_to_its_people_and_its_data(organisation, prospects, customers):
    location = DataFieldFactory(organisation=organisation, name="GPS position", category="location")
    email = DataFieldFactory(organisation=organisation, name="Email", category="identification")
    retention_policy_create(
        organisation=organisation,
        name="Geolocation",
        subject_category=prospects,
        data_category="location",
        maximum=2,
        maximum_unit=MONTHS,
    )
    # Other people: no matter how long.
    draft(
        organisation,
        name="A",
        data_subjects=[{"category": customers}],
        data_fields=[location],
        retention_lines=[line(5)],
    )
    # The right people, but no location data at all.
    draft(
        organisation, name="B", data_subjects=[{"category": prospects}], data_fields=[email], retention_lines=[line(5)]
    )
    # A line for another category of data; a line given only as criteria.
    draft(
        organisation,
        name="C",
        data_subjects=[{"category": prospects}],
        data_fields=[location, email],
        retention_lines=[line(5, data_category="identification"), {"criteria": "Until the end of the trip"}],
    )
    assert open_rules(organisation) == []
    # A line for all the activity's data covers its location data too.
    flagged = draft(
        organisation,
        name="D",
        data_subjects=[{"category": prospects}],
        data_fields=[location],
        retention_lines=[line(3, MONTHS)],
    )
    assert open_rules(organisation, activity=flagged) == ["retention.beyond_policy"]
    assert open_rules(organisation) == ["retention.beyond_policy"]


# --- Below a statutory minimum ----------------------------------------------------------


def test_a_period_shorter_than_the_law_requires_is_flagged_under_a_legal_obligation(organisation, customers):
    invoices = DataFieldFactory(organisation=organisation, name="Invoices", category="economic")
    retention_policy_create(
        organisation=organisation,
        name="Invoices",
        subject_category=customers,
        data_category="economic",
        minimum=10,
        minimum_unit=YEARS,
    )
    accounting = draft(
        organisation,
        name="Accounting",
        lawful_basis="legal_obligation",
        data_subjects=[{"category": customers}],
        data_fields=[invoices],
        retention_lines=[line(9)],
    )
    # A CRM under a contract may forget purchases long before the accounts do: no minimum binds it.
    draft(
        organisation,
        name="CRM",
        lawful_basis="contract",
        data_subjects=[{"category": customers}],
        data_fields=[invoices],
        retention_lines=[line(3)],
    )
    assert open_rules(organisation) == ["retention.below_minimum"]
    assert Finding.objects.get().subject_id == accounting.pk
    accounting.retention_lines.update(duration=5, end_action="archive", archive_duration=5, archive_duration_unit=YEARS)
    assert open_rules(organisation) == []
    assert Finding.objects.get().status == Finding.Status.RESOLVED


# --- Data kept beyond retention -----------------------------------------------------------


def test_a_system_holding_records_older_than_the_retention_from_collection(organisation):
    cctv = SystemFactory(
        organisation=organisation, name="CCTV recorder", countries=["FR"], oldest_record_on=datetime.date(2026, 10, 1)
    )
    activity = draft(organisation, systems=[cctv], retention_lines=[line(1, MONTHS, trigger="collection")])
    # One month is 30.44 days, rounded up: 1 October is still within it on 31 October.
    assert open_rules(organisation, today=datetime.date(2026, 10, 31)) == []
    assert open_rules(organisation, today=datetime.date(2026, 11, 2)) == ["retention.kept_beyond"]
    finding = Finding.objects.get()
    assert finding.subject == cctv and finding.params == {"oldest": "2026-10-01", "kept": [1, "months"]}
    row = shown([finding], organisation)[0]
    assert row.subject_label == "System: CCTV recorder"
    assert row.fix_url == reverse("inventory:item_edit", args=[organisation.slug, "systems", cctv.pk]) + (
        "#id_oldest_record_on"
    )
    assert row.subject_url == reverse("inventory:item_history", args=[organisation.slug, "systems", cctv.pk])
    # A period counted from an event: an old record may rightly still be there.
    activity.retention_lines.update(trigger="end_of_contract")
    assert open_rules(organisation, today=datetime.date(2026, 11, 2)) == []


def test_every_activity_storing_there_counts_and_the_longest_period_wins(organisation):
    archive = SystemFactory(
        organisation=organisation,
        name="Archive",
        countries=["FR"],
        oldest_record_on=TODAY - datetime.timedelta(days=400),
    )
    draft(organisation, name="Logs", systems=[archive], retention_lines=[line(6, MONTHS, trigger="collection")])
    assert open_rules(organisation) == ["retention.kept_beyond"]
    other = draft(organisation, name="Audit", systems=[archive], retention_lines=[line(2, trigger="collection")])
    assert open_rules(organisation) == []
    other.retention_lines.update(duration=None, duration_unit="", criteria="As long as the audit lasts")
    assert open_rules(organisation) == [], "an unknown period proves nothing"


# --- DPIA likely but missing --------------------------------------------------------------


@pytest.mark.parametrize(
    ("criteria", "extra", "expected"),
    [
        ({"criterion_monitoring": True}, {}, []),
        ({"criterion_monitoring": True, "criterion_vulnerable": True}, {}, ["data.dpia_missing"]),
        ({"criterion_monitoring": True, "criterion_vulnerable": True}, {"dpia_status": "done"}, []),
        ({"criterion_monitoring": True, "criterion_vulnerable": True}, {"dpia_status": "in_progress"}, []),
        (
            {"criterion_monitoring": True, "criterion_vulnerable": True},
            {"dpia_status": "planned"},
            ["data.dpia_missing"],
        ),
        ({"criterion_large_scale": True}, {"special": True}, ["data.dpia_missing"]),
        ({"criterion_automated_decision": True}, {"has_automated_decision": True}, ["data.dpia_missing"]),
    ],
)
def test_an_activity_likely_to_be_high_risk_needs_a_dpia(organisation, criteria, extra, expected):
    extra = dict(extra)
    fields = []
    if extra.pop("special", False):
        fields = [
            DataFieldFactory(organisation=organisation, name="Health", category="special", special_category="health")
        ]
        extra["special_condition"] = "a"
    draft(organisation, data_fields=fields, **criteria, **extra)
    assert open_rules(organisation) == expected


def test_large_scale_criminal_offence_data_needs_a_dpia(organisation):
    """Art. 35(3)(b) GDPR: a DPIA is required in the case of "processing on a large scale of special categories of
    data referred to in Article 9(1), or of personal data relating to criminal convictions and offences referred to
    in Article 10" — criminal-offence data on a large scale is enough on its own, as special categories are."""
    record = DataFieldFactory(organisation=organisation, name="Criminal record extract", category="criminal")
    activity = draft(organisation, data_fields=[record], criminal_data_basis="Code du travail, L. 1121-1")
    assert open_rules(organisation) == [], "criminal data alone, not on a large scale: no DPIA required by this rule"
    activity_update(activity=activity, criterion_large_scale=True)
    assert open_rules(organisation) == ["data.dpia_missing"]
    message = shown(Finding.objects.all(), organisation)[0].message
    assert "data relating to criminal convictions and offences on a large scale, Art. 35(3)(b)" in message
    activity_update(activity=activity, dpia_status="done")
    assert open_rules(organisation) == []


def test_the_dpia_message_says_why(organisation):
    draft(organisation, criterion_monitoring=True, criterion_vulnerable=True, criterion_matching=True)
    open_rules(organisation)
    assert "(3 of the EDPB's nine criteria)" in shown(Finding.objects.all(), organisation)[0].message


# --- The policy itself ----------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_french_references_load_once_and_reuse_the_catalogue(organisation, language):
    catalogue_item_create(model=DataSubjectCategory, organisation=organisation, name="salariés")
    added = retention_policy_seed(organisation=organisation, language=language)
    assert added == len(SEEDS)
    assert retention_policy_seed(organisation=organisation, language=language) == 0
    assert retention_policy_seed(organisation=organisation, language="fr" if language == "en" else "en") == 0
    employees = DataSubjectCategory.objects.filter(organisation=organisation, name_key__in=["salaries", "employees"])
    assert employees.count() == 1, "the existing category is reused, whatever its case and accents"
    cctv = RetentionPolicy.objects.get(name="Images de vidéoprotection" if language == "fr" else "CCTV footage")
    assert (cctv.maximum, cctv.maximum_unit, cctv.data_category) == (1, "months", "identification")
    invoices = RetentionPolicy.objects.get(subject_category__name_key__in=["customers", "clients"])
    assert (invoices.minimum, invoices.minimum_unit, invoices.maximum) == (10, "years", None)


def test_the_dpo_keeps_the_policy_and_every_change_is_in_its_history(
    dpo_client, organisation, prospects, django_capture_on_commit_callbacks
):
    url = reverse("compliance:policy_create", args=[organisation.slug])
    empty = dpo_client.post(url, {"name": "Prospects", "subject_category": prospects.pk})
    assert "Give the longest period allowed, the shortest required, or both." in empty.content.decode()
    upside_down = dpo_client.post(
        url, {"name": "Prospects", "maximum": 1, "maximum_unit": "years", "minimum": 2, "minimum_unit": "years"}
    )
    assert "The shortest period cannot be longer than the longest." in upside_down.content.decode()
    no_unit = dpo_client.post(url, {"name": "Prospects", "maximum": 1})
    assert "Give the unit of the duration." in no_unit.content.decode()
    assert not RetentionPolicy.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        draft(organisation, data_subjects=[{"category": prospects}], retention_lines=[line(5)])
    assert not Finding.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        saved = dpo_client.post(
            url, {"name": "Prospects", "subject_category": prospects.pk, "maximum": 3, "maximum_unit": "years"}
        )
    assert saved.status_code == 302
    # The change is re-checked once committed (Celery runs eagerly here): the finding is there.
    assert Finding.objects.get().rule == "retention.beyond_policy"
    policy = RetentionPolicy.objects.get()
    edit = reverse("compliance:policy_edit", args=[organisation.slug, policy.pk])
    longer = {"name": "Prospects", "subject_category": prospects.pk, "maximum": 6, "maximum_unit": "years"}
    with django_capture_on_commit_callbacks(execute=True):
        assert dpo_client.post(edit, longer).status_code == 302
    assert Finding.objects.get().status == Finding.Status.RESOLVED
    dpo_client.post(reverse("compliance:policy_delete", args=[organisation.slug, policy.pk]))
    assert not RetentionPolicy.objects.exists()
    history = dpo_client.get(reverse("compliance:policy_history", args=[organisation.slug]))
    changes = history.context["changes"]
    assert [change.kind for change in changes] == ["deleted", "changed", "created"]
    assert changes[1].details == ["Kept at most: 3 → 6"] and changes[1].who == "dpo"


def test_others_read_the_policy_only_the_dpo_changes_it(
    manager_client, auditor_client, organisation, other_organisation, prospects
):
    policy = retention_policy_create(organisation=organisation, name="Prospects", maximum=3, maximum_unit=YEARS)
    listing = auditor_client.get(reverse("compliance:policy_list", args=[organisation.slug]))
    assert listing.status_code == 200 and "Prospects" in listing.content.decode()
    assert "Add the French references" not in listing.content.decode()
    for client in (manager_client, auditor_client):
        assert client.get(reverse("compliance:policy_create", args=[organisation.slug])).status_code == 403
        assert client.post(reverse("compliance:policy_seed", args=[organisation.slug])).status_code == 403
        assert client.post(reverse("compliance:policy_delete", args=[organisation.slug, policy.pk])).status_code == 403
    assert RetentionPolicy.objects.count() == 1


def test_a_policy_names_only_the_organisations_own_people(dpo_client, organisation, other_organisation):
    theirs = catalogue_item_create(model=DataSubjectCategory, organisation=other_organisation, name="Theirs")
    response = dpo_client.post(
        reverse("compliance:policy_create", args=[organisation.slug]),
        {"name": "X", "subject_category": theirs.pk, "maximum": 1, "maximum_unit": "years"},
    )
    assert response.status_code == 200 and not RetentionPolicy.objects.exists()
    with pytest.raises(Exception, match="Choose one of your own categories of people"):
        retention_policy_update(
            policy=retention_policy_create(organisation=organisation, name="Y", maximum=1, maximum_unit=YEARS),
            subject_category=theirs,
        )


def test_the_policy_rules_cost_the_same_queries_for_5_and_for_50_activities(
    organisation, prospects, django_assert_max_num_queries
):
    from processing.compliance.rules.retention import below_minimum, beyond_policy, kept_beyond

    retention_policy_seed(organisation=organisation, language="en")
    archive = SystemFactory(
        organisation=organisation, name="Archive", countries=["FR"], oldest_record_on=datetime.date(2020, 1, 1)
    )
    field = DataFieldFactory(organisation=organisation, name="Email", category="identification")

    def add(count):
        for number in range(count):
            draft(
                organisation,
                name=f"A{number}",
                data_fields=[field],
                systems=[archive],
                data_subjects=[{"category": prospects}],
                lawful_basis="legal_obligation",
                retention_lines=[
                    line(5, trigger="collection"),
                    line(2, data_category="economic", trigger="collection"),
                ],
            )

    def run():
        return [list(find(organisation, TODAY)) for find in (beyond_policy, below_minimum, kept_beyond)]

    add(5)
    with django_assert_max_num_queries(14):
        few = run()
    add(45)
    with django_assert_max_num_queries(14):
        many = run()
    assert len(few[0]) == 5 and len(many[0]) == 50
    assert len(many[2]) == 1 and many[2][0].model is System


def test_finding_filters_by_what_it_concerns(auditor_client, organisation):
    cctv = SystemFactory(
        organisation=organisation, name="CCTV", countries=["FR"], oldest_record_on=datetime.date(2020, 1, 1)
    )
    draft(
        organisation,
        systems=[cctv],
        retention_lines=[line(1, MONTHS, trigger="collection")],
        criterion_monitoring=True,
        criterion_vulnerable=True,
    )
    open_rules(organisation)
    url = reverse("compliance:finding_list", args=[organisation.slug])
    # The rows, not the whole page: the rule filter names every rule, the DPIA's included.
    systems = " ".join(
        row.message + row.subject_label for row in auditor_client.get(url, {"kind": "system"}).context["rows"]
    )
    assert "System: CCTV" in systems and "DPIA" not in systems
    activities = " ".join(
        row.message + row.subject_label for row in auditor_client.get(url, {"kind": "activity"}).context["rows"]
    )
    assert "DPIA" in activities and "System: CCTV" not in activities


def test_a_systems_pages_list_its_findings(dpo_client, auditor_client, organisation):
    cctv = SystemFactory(
        organisation=organisation, name="CCTV", countries=["FR"], oldest_record_on=datetime.date(2020, 1, 1)
    )
    draft(organisation, systems=[cctv], retention_lines=[line(1, MONTHS, trigger="collection")])
    open_rules(organisation)
    history = auditor_client.get(reverse("inventory:item_history", args=[organisation.slug, "systems", cctv.pk]))
    page = history.content.decode()
    assert "1 compliance finding" in page and "still holds a record from 1 Jan 2020" in page
    assert "Fix it" not in page, "an auditor cannot fix it"
    form = dpo_client.get(reverse("inventory:item_edit", args=[organisation.slug, "systems", cctv.pk]))
    assert "Fix it" in form.content.decode() and 'id="id_oldest_record_on"' in form.content.decode()

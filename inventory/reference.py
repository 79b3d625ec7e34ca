"""Reference data on where personal data may go: the EEA and the adequacy decisions.

Facts checked in November 2026 against their sources: the EEA against Art. 3 TEU and the EEA Agreement; each
adequacy decision against its text in the Official Journal (its number is its ``reference`` below) and the
European Commission's list, https://commission.europa.eu/law/law-topic/data-protection/international-dimension-data-protection/adequacy-decisions_en
(how the checks use them: docs/compliance.md).
This module only *seeds* the database; superusers keep the data current in the admin and
the checks always read the database, so a revoked or new decision changes the findings
without a code change.
"""

import datetime

from django_countries.data import COUNTRIES

from inventory.models import AdequacyDecision, Country, InternationalOrganisation

# EU-27 (Art. 3 TEU) and their outermost regions that have their own ISO code. The Azores,
# Madeira and the Canary Islands are covered by PT and ES. Overseas countries and
# territories such as NC, PF, GL, BL are *not* EU.
EU_MEMBER_STATES = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
    ]
)
# Art. 349 and 355(1) TFEU (the Azores, Madeira and the Canary Islands are under PT and ES).
EU_OUTERMOST_REGIONS = frozenset(["GP", "GF", "MQ", "RE", "YT", "MF"])
# Åland (AX) is part of Finland in the EU (Protocol No 2 to the 1994 Act of Accession), not an outermost region.
EU_OTHER_TERRITORIES = frozenset(["AX"])
EEA_EFTA_STATES = frozenset(["IS", "LI", "NO"])  # EEA Agreement

EU = EU_MEMBER_STATES | EU_OUTERMOST_REGIONS | EU_OTHER_TERRITORIES
EEA = EU | EEA_EFTA_STATES


def _date(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


# Art. 45 adequacy decisions in force (country code, or international organisation name).
# scope "full" or "partial"; a partial scope says in words who is covered, and the US one
# covers only organisations certified under the EU-US Data Privacy Framework.
ISRAEL_SCOPE = (
    "Automated processing only (or data not processed automatically when sent, then processed automatically in "
    "Israel); the State of Israel as defined by international law."
)
ISRAEL_SCOPE_FR = (
    "Traitements automatisés uniquement (ou données transférées sans traitement automatisé puis traitées de façon "
    "automatisée en Israël) ; l’État d’Israël au sens du droit international."
)
KOREA_SCOPE = (
    "Every controller subject to PIPA, public and private, except: religious organisations processing for their "
    "missionary activities, political parties processing for the nomination of candidates, and credit information "
    "processed under the Credit Information Act by controllers supervised by the Financial Services Commission."
)
KOREA_SCOPE_FR = (
    "Tout responsable soumis à la PIPA, public ou privé, sauf : les organisations religieuses pour leurs activités "
    "missionnaires, les partis politiques pour la désignation de leurs candidats, et les informations de crédit "
    "traitées en vertu de la loi sur l’information de crédit par des responsables contrôlés par la Financial "
    "Services Commission."
)

# Commission Implementing Decision (EU) 2021/1772 of 28 June 2021 (GDPR), Art. 1(2): it does not cover data
# transferred for United Kingdom immigration control, or within the immigration exemption (Schedule 2, para 4(1),
# Data Protection Act 2018). Art. 4: four years, to 27 June 2025; extended in June 2025 by six months, to
# 27 December 2025, while the Commission assessed the Data (Use and Access) Act 2025.
UK_2021_SCOPE = (
    "Everything under the UK GDPR except personal data transferred for United Kingdom immigration control, or "
    "falling within the immigration exemption (Schedule 2, paragraph 4(1), Data Protection Act 2018)."
)
UK_2021_SCOPE_FR = (
    "Tout ce qui relève du UK GDPR, sauf les données transférées aux fins du contrôle de l’immigration au "
    "Royaume-Uni ou relevant de l’exemption « immigration » (annexe 2, paragraphe 4(1), Data Protection Act 2018)."
)
UK_2021_NOTES = (
    "Decision (EU) 2021/1772 of 28 June 2021, to 27 June 2025 (its Art. 4); extended in June 2025 to "
    "27 December 2025. The number of the June 2025 extending decision is not verified here (the one extending "
    "the Law Enforcement Directive decision (EU) 2021/1773 is (EU) 2025/1225 of 24 June 2025)."
)
# The renewal adopted by the Commission on 19 December 2025, from 28 December 2025 to 27 December 2031: the
# immigration exemption now has safeguards (UK amendments of 2022 and 2024), so immigration data is in scope.
# Its number in the Official Journal could not be verified (the Law Enforcement Directive renewal of the same day
# is (EU) 2025/2571): the reference below names it by its date, and its notes say so, rather than guess a number.
UK_2025 = {
    "country": "GB",
    "reference": "Commission implementing decision of 19 December 2025 renewing (EU) 2021/1772",
    "in_force_from": _date("2025-12-28"),
    "ends_on": _date("2031-12-27"),
    "notes": (
        "Adopted on 19 December 2025; applies from 28 December 2025 to 27 December 2031; immigration data is in "
        "scope. Its number in the Official Journal is NOT VERIFIED: replace the reference with it once checked."
    ),
}
UK_2021 = {
    "country": "GB",
    "reference": "(EU) 2021/1772",
    "in_force_from": _date("2021-06-28"),
    "ends_on": _date("2025-12-27"),
    "scope": "partial",
    "scope_description": UK_2021_SCOPE,
    "scope_description_fr": UK_2021_SCOPE_FR,
    "notes": UK_2021_NOTES,
}
# Decision (EU) 2023/1795 (EU-US Data Privacy Framework): upheld by the General Court on 3 September 2025
# (T-553/23, Latombe v Commission); appealed to the Court of Justice (C-703/25 P, pending). The Commission reviews it
# (Art. 3): first review reported on 9 October 2024, the next within three years.
US_SCOPE = (
    "Only organisations certified under the EU-US Data Privacy Framework. Upheld by the General Court on "
    "3 September 2025 (T-553/23, Latombe); appeal pending before the Court of Justice (C-703/25 P). Reviewed by the "
    "Commission: first review on 9 October 2024, the next within three years. Keep standard contractual clauses "
    "ready as a fallback."
)
US_SCOPE_FR = (
    "Uniquement les organisations certifiées dans le cadre du Data Privacy Framework UE-États-Unis. Confirmée par "
    "le Tribunal le 3 septembre 2025 (T-553/23, Latombe) ; pourvoi pendant devant la Cour de justice "
    "(C-703/25 P). Réexaminée par la Commission : premier réexamen le 9 octobre 2024, le suivant dans les trois "
    "ans. Gardez des clauses contractuelles types prêtes en solution de repli."
)
US_NOTES = "Appeal C-703/25 P lodged on 31 October 2025 against the General Court's judgment in T-553/23."
EPO_NOTES = (
    "Verified: Implementing Decision (EU) 2025/1382 of 15 July 2025, notified as C(2025) 4626, OJ L of "
    "18 July 2025. It enters into force on its notification; the date stored is the decision's."
)
BRAZIL_NOTES = "Verified: Implementing Decision (EU) 2026/179 of 26 January 2026, OJ L of 28 January 2026."

ADEQUACY_DECISIONS = [
    {"country": "CH", "reference": "2000/518/EC", "in_force_from": _date("2000-07-26")},
    {
        "country": "CA",
        "reference": "2002/2/EC",
        "in_force_from": _date("2001-12-20"),
        "scope": "partial",
        "scope_description": "Only recipients subject to PIPEDA (commercial organisations).",
        "scope_description_fr": "Uniquement les destinataires soumis à la PIPEDA (organisations commerciales).",
    },
    {"country": "AR", "reference": "2003/490/EC", "in_force_from": _date("2003-06-30")},
    {"country": "GG", "reference": "2003/821/EC", "in_force_from": _date("2003-11-21")},
    {"country": "IM", "reference": "2004/411/EC", "in_force_from": _date("2004-04-28")},
    {"country": "JE", "reference": "2008/393/EC", "in_force_from": _date("2008-05-08")},
    {"country": "FO", "reference": "2010/146/EU", "in_force_from": _date("2010-03-05")},
    {"country": "AD", "reference": "2010/625/EU", "in_force_from": _date("2010-10-19")},
    {
        # Decision 2011/61/EU, Art. 1: automated transfers, or non-automated ones further processed automatically in
        # Israel; the State of Israel "in accordance with international law".
        "country": "IL",
        "reference": "2011/61/EU",
        "in_force_from": _date("2011-01-31"),
        "scope": "partial",
        "scope_description": ISRAEL_SCOPE,
        "scope_description_fr": ISRAEL_SCOPE_FR,
    },
    {"country": "UY", "reference": "2012/484/EU", "in_force_from": _date("2012-08-21")},
    {"country": "NZ", "reference": "2013/65/EU", "in_force_from": _date("2012-12-19")},
    {
        "country": "JP",
        "reference": "(EU) 2019/419",
        "in_force_from": _date("2019-01-23"),
        "scope": "partial",
        "scope_description": "Private sector under the APPI.",
        "scope_description_fr": "Secteur privé soumis à l’APPI.",
    },
    {
        # Decision (EU) 2022/254, recitals 6-9 and Art. 1: every controller subject to PIPA, public and private, but
        # for three exclusions (Annex I, section 1.1): it is partial only for them.
        "country": "KR",
        "reference": "(EU) 2022/254",
        "in_force_from": _date("2021-12-17"),
        "scope": "partial",
        "scope_description": KOREA_SCOPE,
        "scope_description_fr": KOREA_SCOPE_FR,
    },
    # The United Kingdom: two decisions, one after the other, so that the register as of a day cites the one in
    # force that day (UK_2021 and UK_2025 below).
    UK_2021,
    UK_2025,
    {
        "country": "US",
        "reference": "(EU) 2023/1795",
        "in_force_from": _date("2023-07-10"),
        "scope": "partial",
        "requires_dpf_certification": True,
        "scope_description": US_SCOPE,
        "scope_description_fr": US_SCOPE_FR,
        "notes": US_NOTES,
    },
    {
        # Commission Implementing Decision (EU) 2025/1382 of 15 July 2025 on the adequate protection of personal
        # data by the European Patent Organisation, notified under document C(2025) 4626, OJ L of 18 July 2025:
        # the first adequacy decision for an international organisation.
        "international_organisation": "European Patent Organisation",
        "reference": "(EU) 2025/1382",
        "in_force_from": _date("2025-07-15"),
        "notes": EPO_NOTES,
    },
    {
        # Commission Implementing Decision (EU) 2026/179 of 26 January 2026 on the adequate protection of personal
        # data by Brazil (published in the OJ on 28 January 2026).
        "country": "BR",
        "reference": "(EU) 2026/179",
        "in_force_from": _date("2026-01-26"),
        "scope": "partial",
        "scope_description": "Recipients subject to the LGPD.",
        "scope_description_fr": "Destinataires soumis à la LGPD.",
        "notes": BRAZIL_NOTES,
    },
]


def reference_data_create_missing(**kwargs) -> None:
    """Create the countries and adequacy decisions the database lacks (a post_migrate hook).

    It only adds: what a superuser changed in the admin (an end date, a scope) is never
    overwritten. It runs after every ``migrate`` and after a test flush.
    """

    existing = set(Country.objects.values_list("code", flat=True))
    Country.objects.bulk_create(
        Country(code=code, is_eu=code in EU, is_eea=code in EEA) for code in COUNTRIES if code not in existing
    )
    known = set(AdequacyDecision.objects.values_list("reference", flat=True))
    for decision in ADEQUACY_DECISIONS:
        if decision["reference"] in known:
            continue
        decision = dict(decision)
        if "international_organisation" in decision:
            decision["international_organisation"] = InternationalOrganisation.objects.get_or_create(
                name=decision["international_organisation"]
            )[0]
        else:
            decision["country_id"] = decision.pop("country")
        # A destination whose decision a superuser already recorded for that day (under another reference) keeps
        # it: two decisions for one destination and day would contradict each other.
        same_destination = AdequacyDecision.objects.filter(
            country_id=decision.get("country_id"), international_organisation=decision.get("international_organisation")
        )
        if same_destination.in_force_on(decision["in_force_from"]).exists():
            continue
        AdequacyDecision.objects.create(**decision)

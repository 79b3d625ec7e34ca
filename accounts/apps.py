from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and organisations")

    def ready(self):
        from . import sign_ins, tasks  # noqa: F401  (its receivers record each sign-in; the tasks register with Celery)

    def seed_demo(self) -> str:
        # Imported when called: an app's modules load models, which Django's app loading forbids at import time.
        from .demo import DEMO_PASSWORD, seed_demo_accounts

        organisations = seed_demo_accounts()
        return (
            f"organisations {', '.join(sorted(organisations))}; users dpo, manager, auditor "
            f"and the superuser admin, password {DEMO_PASSWORD!r}"
        )

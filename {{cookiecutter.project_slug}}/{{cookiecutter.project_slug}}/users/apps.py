"""The users app: the custom user model (email login), authentication and the account flows."""

from django.apps import AppConfig
from django.db.models.signals import pre_delete, pre_save


class UsersConfig(AppConfig):
    name = "{{ cookiecutter.project_slug }}.users"
    label = "users"
    verbose_name = "Users"

    def ready(self) -> None:
        from .models import User
        from .revocation import revoke_on_credential_change, revoke_on_delete

        pre_save.connect(revoke_on_credential_change, sender=User, dispatch_uid="users.revoke")
        pre_delete.connect(revoke_on_delete, sender=User, dispatch_uid="users.revoke_on_delete")

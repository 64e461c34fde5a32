"""Users for tests (factory-boy), all with the same known password and a verified address."""

from typing import Any

import factory
from allauth.account.models import EmailAddress

from ..models import User

TEST_PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory[User]):
    """A user who signed up and verified their address; `verified=False` for one who did not."""

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    name = factory.Faker("name")
    password = factory.django.Password(TEST_PASSWORD)

    class Meta:
        model = User
        skip_postgeneration_save = True

    @factory.post_generation  # type: ignore[untyped-decorator]
    def verified(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            verified = True if extracted is None else bool(extracted)
            EmailAddress.objects.create(
                user=self, email=self.email, primary=True, verified=verified
            )

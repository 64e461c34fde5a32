"""Users for tests (factory-boy), all with the same known password."""

import factory

from ..models import User

TEST_PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory[User]):
    email = factory.Sequence(lambda n: f"user{n}@example.com")
    name = factory.Faker("name")
    password = factory.django.Password(TEST_PASSWORD)

    class Meta:
        model = User
        skip_postgeneration_save = True

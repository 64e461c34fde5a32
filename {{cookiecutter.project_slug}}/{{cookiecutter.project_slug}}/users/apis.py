from rest_framework.generics import RetrieveAPIView

from .models import User
from .serializers import UserSerializer


class MeApi(RetrieveAPIView[User]):
    """The authenticated user's own profile."""

    serializer_class = UserSerializer

    def get_object(self) -> User:
        user = self.request.user
        assert isinstance(user, User)  # noqa: S101 - IsAuthenticated guarantees a real user
        return user

"""Test-only URLconf: the real API plus views that fail on purpose, to test the envelope."""

from django.urls import include, path
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from ecommerce.common.exceptions import Conflict


class AlwaysThrottled(BaseThrottle):
    def allow_request(self, request, view):
        return False

    def wait(self):
        return 42


class ProtectedApi(APIView):
    permission_classes = [IsAuthenticated]

    def get(self, request):
        return Response({"ok": True})


class EchoApi(APIView):
    def post(self, request):
        return Response({"received": request.data})


class ThrottledApi(APIView):
    throttle_classes = [AlwaysThrottled]

    def get(self, request):  # pragma: no cover - never reached
        return Response({})


class BoomApi(APIView):
    def get(self, request):
        raise RuntimeError("secret-internal-detail SELECT * FROM accounts_user")


class ConflictApi(APIView):
    def get(self, request):
        raise Conflict("Nope.", details={"thing": "is in the wrong state"})


def plain_django_boom(request):
    raise RuntimeError("plain django view failure")


urlpatterns = [
    path("api/test/protected/", ProtectedApi.as_view()),
    path("api/test/echo/", EchoApi.as_view()),
    path("api/test/throttled/", ThrottledApi.as_view()),
    path("api/test/boom/", BoomApi.as_view()),
    path("api/test/conflict/", ConflictApi.as_view()),
    path("api/test/plain-boom/", plain_django_boom),
    path("", include("ecommerce.urls")),
]

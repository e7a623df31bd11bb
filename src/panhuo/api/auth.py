"""`Authorization: Bearer <key>` against the kept digests (models.ApiToken)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from panhuo.api.models import ApiToken, token_digest

# last_used_at is written at most this often per token, so a busy system does not write on every request.
TOUCH_EVERY = timedelta(minutes=5)


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Authorization: Bearer <token>")
        try:
            key = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("invalid token") from None
        now = timezone.now()
        token = (ApiToken.objects.select_related("user", "user__advisor")
                 .filter(digest=token_digest(key), revoked_at__isnull=True, expires_at__gt=now).first())
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed("invalid, expired or revoked token")
        if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword


class BearerScheme(OpenApiAuthenticationExtension):
    """Tells the OpenAPI schema how BearerTokenAuthentication is used (loaded in ApiConfig.ready)."""
    target_class = BearerTokenAuthentication
    name = "bearer"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "`panhuo users token NAME` issues one"}

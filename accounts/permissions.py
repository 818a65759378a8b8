"""Role permissions, in one module: every API view picks its access rule from here."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from .models import Role, User


def is_admin(user: Any) -> bool:
    """Admins are staff users (role ``admin`` is kept in step with ``is_staff``)."""
    return bool(
        user and user.is_authenticated and user.is_active and (user.is_staff or user.role == Role.ADMIN)
    )


def is_manager(user: Any) -> bool:
    """Store managers: active users whose role is ``manager``."""
    return bool(user and user.is_authenticated and user.is_active and user.role == Role.MANAGER)


def authenticated_user(request: Request | HttpRequest) -> User:
    """``request.user`` as a ``User``, for views whose permission already requires a signed-in
    user (``IsCustomer``, ``IsAdmin``, the admin site); an anonymous request is
    ``NotAuthenticated`` (401)."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise NotAuthenticated()
    return user


class IsAdmin(BasePermission):
    """Only admins (staff)."""

    message = "Only admins may do this."

    def has_permission(self, request: Request, view: Any) -> bool:
        return is_admin(request.user)


class IsAdminOrReadOnly(BasePermission):
    """Anyone may read; only admins may write."""

    message = "Only admins may change this."

    def has_permission(self, request: Request, view: Any) -> bool:
        return request.method in SAFE_METHODS or is_admin(request.user)


class IsManager(BasePermission):
    """Users whose role is ``manager``."""

    message = "Only store managers may do this."

    def has_permission(self, request: Request, view: Any) -> bool:
        return is_manager(request.user)


class IsCustomer(BasePermission):
    """Any signed-in, active user (shoppers; admins and managers may shop too)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.is_active)

"""Backend pages opened from account emails (``/accounts/…``)."""

from django.urls import path

from . import views

urlpatterns = [
    path("verify-email/", views.verify_email_page, name="accounts-verify-email-page"),
    path("password/reset/", views.password_reset_page, name="accounts-password-reset-page"),
]

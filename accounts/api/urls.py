"""API routes of this app (registered with and without a trailing slash via ``api_path``)."""

from ecommerce.common.urls import api_path

from . import views

urlpatterns = [
    *api_path("register/", views.RegisterApi.as_view(), name="auth-register"),
    *api_path("verify-email/", views.EmailVerifyApi.as_view(), name="auth-verify-email"),
    *api_path("verify-email/resend/", views.EmailVerifyResendApi.as_view(), name="auth-verify-email-resend"),
    *api_path("login/", views.LoginApi.as_view(), name="auth-login"),
    *api_path("token/refresh/", views.TokenRefreshApi.as_view(), name="auth-token-refresh"),
    *api_path("logout/", views.LogoutApi.as_view(), name="auth-logout"),
    *api_path("password/reset/", views.PasswordResetApi.as_view(), name="auth-password-reset"),
    *api_path(
        "password/reset/confirm/", views.PasswordResetConfirmApi.as_view(), name="auth-password-reset-confirm"
    ),
    *api_path("password/change/", views.PasswordChangeApi.as_view(), name="auth-password-change"),
    *api_path("me/", views.MeApi.as_view(), name="auth-me"),
    *api_path("me/addresses/", views.AddressListApi.as_view(), name="auth-addresses"),
    *api_path("me/addresses/<str:address_id>/", views.AddressApi.as_view(), name="auth-address"),
    *api_path("providers/", views.ProviderListApi.as_view(), name="auth-providers"),
    *api_path("social/<str:provider>/", views.SocialLoginApi.as_view(), name="auth-social"),
]

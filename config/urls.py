from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

# Signing in and out, and changing one's own password, from django.contrib.auth in the site's own
# templates (templates/registration/). No password reset by email: accounts are issued by the
# administrators, who also set a new password for someone who forgot theirs (docs/DEPLOY.md,
# "Sign-in security"); a reset link mailed out would hand the account to whoever reads the mailbox.
accounts = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password_change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password_change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
]

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include(accounts)),
    path("admin/", admin.site.urls),
    path("api/", include("approvals.api.urls")),
    path("", include("approvals.urls")),
]

handler403 = "approvals.views.common.forbidden"

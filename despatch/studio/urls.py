"""The studio's addresses. ``moderation/`` is the conversations app's, served from its own URLs."""

from django.urls import path
from django.views.generic import RedirectView

from .views import accounts, media, posts, team

app_name = "studio"

urlpatterns = [
    path("", posts.DashboardView.as_view(), name="dashboard"),
    # Signing in and the account
    path("sign-in/", accounts.SignInView.as_view(), name="sign-in"),
    path("sign-in/two-factor/", accounts.SecondStepView.as_view(), name="two-factor"),
    path("sign-out/", accounts.SignOutView.as_view(), name="sign-out"),
    path("account/", accounts.AccountView.as_view(), name="account"),
    path("account/password/", accounts.PasswordChangeView.as_view(), name="password-change"),
    path("account/two-factor/", accounts.TwoFactorSetupView.as_view(), name="two-factor-setup"),
    path("password-reset/", accounts.PasswordResetView.as_view(), name="password-reset"),
    path(
        "password-reset/sent/", accounts.PasswordResetSentView.as_view(), name="password-reset-sent"
    ),
    path(
        "password-reset/done/",
        accounts.PasswordResetCompleteView.as_view(),
        name="password-reset-complete",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        accounts.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    # Writing and review
    path("posts/", posts.PostListView.as_view(), name="posts"),
    path("posts/new/", posts.PostCreateView.as_view(), name="post-new"),
    path("posts/<int:pk>/", posts.PostEditorView.as_view(), name="post-edit"),
    path("posts/<int:pk>/autosave/", posts.AutosaveView.as_view(), name="post-autosave"),
    path("posts/<int:pk>/render/", posts.RenderPreviewView.as_view(), name="post-render"),
    path("posts/<int:pk>/review/", posts.ReviewCommentView.as_view(), name="post-review"),
    path("posts/<int:pk>/revisions/", posts.RevisionListView.as_view(), name="post-revisions"),
    path(
        "posts/<int:pk>/revisions/compare/",
        posts.RevisionCompareView.as_view(),
        name="post-compare",
    ),
    path(
        "posts/<int:pk>/revisions/<int:number>/restore/",
        posts.RevisionRestoreView.as_view(),
        name="post-restore",
    ),
    path("posts/<int:pk>/share/", posts.SharePreviewView.as_view(), name="post-share"),
    path("preview/<str:token>/", posts.PreviewLinkView.as_view(), name="preview-link"),
    path("tags/", posts.TagSuggestView.as_view(), name="tag-suggest"),
    # Media
    path("media/", media.LibraryIndexView.as_view(), name="media-index"),
    path("media/<slug:blog_slug>/", media.LibraryView.as_view(), name="media"),
    path("media/<slug:blog_slug>/images/", media.ImageUploadView.as_view(), name="image-upload"),
    path(
        "media/<slug:blog_slug>/images/<int:pk>/",
        media.ImageDescribeView.as_view(),
        name="image-describe",
    ),
    path("media/<slug:blog_slug>/videos/", media.VideoUploadView.as_view(), name="video-upload"),
    # The team
    path("best-bits/", team.BestBitsIndexView.as_view(), name="best-bits-index"),
    path("best-bits/network/", team.BestBitsView.as_view(), name="best-bits-network"),
    path("best-bits/<slug:blog_slug>/", team.BestBitsView.as_view(), name="best-bits"),
    path("people/", team.PeopleView.as_view(), name="people"),
    path("people/<int:pk>/", team.PersonView.as_view(), name="person"),
    path("blogs/", team.BlogListView.as_view(), name="blogs"),
    path("blogs/<slug:blog_slug>/", team.BlogSettingsView.as_view(), name="blog-settings"),
    path("audit/", team.AuditLogView.as_view(), name="audit"),
    path("login/", RedirectView.as_view(pattern_name="studio:sign-in", query_string=True)),
]

"""The media library of each blog: upload pictures (with their description) and videos."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views import View

from despatch.blogs.models import Blog
from despatch.core.pagination import paginate
from despatch.media import services
from despatch.media.models import Image, Video
from despatch.posts import permissions

from ..forms import ImageDescribeForm, ImageUploadForm, VideoUploadForm
from .base import StudioMixin, studio_context


def _library_blogs(user: Any) -> list[Blog]:
    ids = permissions.writable_blog_ids(user)
    blogs = Blog.objects.all() if ids is None else Blog.objects.filter(pk__in=ids)
    return list(blogs.order_by("position", "name"))


class LibraryIndexView(StudioMixin, View):
    """Pick the blog whose library to open (straight to it when there is one)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        blogs = _library_blogs(request.user)
        if len(blogs) == 1:
            return redirect("studio:media", blog_slug=blogs[0].slug)
        if not blogs:
            raise PermissionDenied(_("You do not write on any blog."))
        context = studio_context(request, section="media")
        context["blogs"] = blogs
        return render(request, "studio/media_index.html", context)


class LibraryMixin(StudioMixin):
    """Pages of one blog's library: everyone who writes on the blog may use it."""

    kwargs: dict[str, Any]
    section = "media"

    @cached_property
    def blog(self) -> Blog:
        blog = get_object_or_404(Blog, slug=self.kwargs["blog_slug"])
        if not permissions.can_write_on(self.request.user, blog.pk):
            raise Http404(_("No library of yours has that name."))
        return blog

    def context(self, **extra: Any) -> dict[str, Any]:
        context = studio_context(self.request, section="media")
        context.update(blog=self.blog, **extra)
        return context


class LibraryView(LibraryMixin, View):
    template_name = "studio/media_library.html"

    def get(self, request: HttpRequest, blog_slug: str) -> HttpResponse:
        return self.show(ImageUploadForm(), VideoUploadForm())

    def show(
        self, image_form: ImageUploadForm, video_form: VideoUploadForm, status: int = 200
    ) -> HttpResponse:
        images = paginate(
            self.request, Image.objects.filter(blog=self.blog).order_by("-uploaded_at", "-id"), 24
        )
        videos = list(Video.objects.filter(blog=self.blog).order_by("-uploaded_at")[:50])
        return render(
            self.request,
            self.template_name,
            self.context(
                page=images,
                images=images.object_list,
                videos=videos,
                image_form=image_form,
                video_form=video_form,
            ),
            status=status,
        )


class ImageUploadView(LibraryMixin, View):
    """Upload one picture; answers JSON to the editor's script, a page otherwise."""

    def post(self, request: HttpRequest, blog_slug: str) -> HttpResponse:
        form = ImageUploadForm(request.POST, request.FILES)
        wants_json = request.headers.get("Accept", "").startswith("application/json")
        image = None
        if form.is_valid():
            try:
                image = services.image_upload(
                    blog=self.blog,
                    upload=form.cleaned_data["file"],
                    alt_text=form.cleaned_data["alt_text"],
                    caption=form.cleaned_data["caption"],
                    by=request.user,
                )
            except ValidationError as error:
                form.add_error("file" if error.code not in {"required"} else "alt_text", error)
        if image is None:
            if wants_json:
                return JsonResponse(
                    {"errors": {k: [str(e) for e in v] for k, v in form.errors.items()}}, status=400
                )
            messages.error(request, _("The picture was not uploaded."))
            return LibraryView(request=request, kwargs=self.kwargs).show(
                form, VideoUploadForm(), status=400
            )
        if wants_json:
            return JsonResponse(
                {
                    "id": image.pk,
                    "url": image.file.url,
                    "alt": image.alt_text,
                    "markdown": image.markdown,
                    "width": image.width,
                    "height": image.height,
                },
                status=201,
            )
        messages.success(request, _("Uploaded. Smaller sizes for phones are being made."))
        return redirect("studio:media", blog_slug=self.blog.slug)


class ImageDescribeView(LibraryMixin, View):
    def post(self, request: HttpRequest, blog_slug: str, pk: int) -> HttpResponse:
        image = get_object_or_404(Image, blog=self.blog, pk=pk)
        form = ImageDescribeForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Describe the picture for readers who cannot see it."))
            return redirect("studio:media", blog_slug=self.blog.slug)
        try:
            services.image_describe(
                image=image,
                alt_text=form.cleaned_data["alt_text"],
                caption=form.cleaned_data["caption"],
            )
            messages.success(request, _("Description saved."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect(
            f"{reverse('studio:media', kwargs={'blog_slug': self.blog.slug})}#image-{image.pk}"
        )


class VideoUploadView(LibraryMixin, View):
    def post(self, request: HttpRequest, blog_slug: str) -> HttpResponse:
        form = VideoUploadForm(request.POST, request.FILES)
        video = None
        if form.is_valid():
            try:
                video = services.video_upload(
                    blog=self.blog,
                    upload=form.cleaned_data["file"],
                    title=form.cleaned_data["title"],
                    transcript=form.cleaned_data["transcript"],
                    captions=form.cleaned_data.get("captions"),
                    captions_language=form.cleaned_data["captions_language"],
                    by=request.user,
                )
            except ValidationError as error:
                field = {"bad_captions": "captions", "required": "transcript"}.get(
                    error.code or "", "file"
                )
                form.add_error(field, error)
        if video is None:
            messages.error(request, _("The video was not uploaded."))
            return LibraryView(request=request, kwargs=self.kwargs).show(
                ImageUploadForm(), form, status=400
            )
        messages.success(request, _("Video uploaded. Copy its block into a post to show it."))
        return redirect("studio:media", blog_slug=self.blog.slug)

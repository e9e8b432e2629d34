"""Upload pages: templates, the upload form with its history, the live preview, commit and report."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tenancy.models import Role
from tenancy.scoping import request_tenant, role_required, tenant_get_object_or_404
from uploads import selectors, services
from uploads.columns import layout_for
from uploads.files import UploadFileError
from uploads.forms import CommitForm, SkipExistingForm, UploadForm
from uploads.models import Upload, UploadKind, UploadStatus
from uploads.safety import spreadsheet_safe
from uploads.template_files import template_csv, template_filename, template_xlsx

UPLOAD_ROLES = (Role.ADMIN, Role.OPERATIONS)
ROWS_PER_PAGE = 50


@role_required(*UPLOAD_ROLES)
def upload_index(request: HttpRequest) -> HttpResponse:
    tenant = request_tenant(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            upload = services.upload_create(
                tenant=tenant,
                user=request.user,  # type: ignore[arg-type]
                kind=form.cleaned_data["kind"],
                file=form.cleaned_data["file"],
                skip_existing=form.cleaned_data["skip_existing"],
            )
        except UploadFileError as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("uploads:detail", public_id=upload.public_id)
    page = Paginator(selectors.upload_list(tenant=tenant), 25).get_page(request.GET.get("page"))
    context = {"form": form, "page_obj": page, "uploads": page.object_list, "kinds": UploadKind.choices}
    return render(request, "uploads/index.html", context)


@role_required(*UPLOAD_ROLES)
def upload_template(request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
    if kind not in UploadKind.values or fmt not in ("xlsx", "csv"):
        raise Http404("No such template")
    if fmt == "csv":
        body, content_type = template_csv(kind=kind), "text/csv; charset=utf-8"
    else:
        body = template_xlsx(tenant=request_tenant(request), kind=kind)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{template_filename(kind=kind, fmt=fmt)}"'
    return response


def _detail_context(request: HttpRequest, upload: Upload) -> dict[str, Any]:
    context: dict[str, Any] = {"upload": upload, "layout": layout_for(upload.kind)}
    if upload.status in (UploadStatus.CHECKED, UploadStatus.COMMITTING):
        problems_only = request.GET.get("show") != "all" and (upload.rows_bad + upload.rows_existing) > 0
        rows = selectors.upload_rows(upload=upload, problems_only=problems_only)
        page = Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
        for row in page.object_list:
            row.messages = selectors.row_messages(upload=upload, row=row)  # type: ignore[attr-defined]
            row.bad_keys = {m.key for m in row.messages}  # type: ignore[attr-defined]
            row.cells = [  # type: ignore[attr-defined]
                (c, row.values.get(c.key, ""), c.key in row.bad_keys)  # type: ignore[attr-defined]
                for c in context["layout"].columns
            ]
        context.update(page_obj=page, rows=page.object_list, problems_only=problems_only)
        context["same_file"] = selectors.upload_same_file_committed(upload=upload)
    if upload.status == UploadStatus.COMMITTED:
        page = Paginator(selectors.upload_created_rows(upload=upload), ROWS_PER_PAGE).get_page(request.GET.get("page"))
        context.update(page_obj=page, created=page.object_list)
    return context


@role_required(*UPLOAD_ROLES)
def upload_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    upload = tenant_get_object_or_404(
        request, Upload.objects.select_related("created_by", "committed_by"), public_id=public_id
    )
    return render(request, "uploads/detail.html", _detail_context(request, upload))


@role_required(*UPLOAD_ROLES)
def upload_progress_view(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The live part of the page; htmx polls it while a worker is busy, then the full page reloads."""
    upload = tenant_get_object_or_404(request, Upload, public_id=public_id)
    response = render(request, "uploads/_progress.html", {"upload": upload})
    if not upload.is_busy and request.htmx:  # type: ignore[attr-defined]
        response["HX-Refresh"] = "true"
    return response


@require_POST
@role_required(*UPLOAD_ROLES)
def upload_skip_existing_view(request: HttpRequest, public_id: UUID) -> HttpResponse:
    upload = tenant_get_object_or_404(request, Upload, public_id=public_id)
    form = SkipExistingForm(request.POST)
    form.is_valid()
    try:
        services.upload_skip_existing_set(upload=upload, skip=bool(form.cleaned_data.get("skip_existing")))
    except services.UploadActionError as exc:
        messages.error(request, str(exc))
    return redirect("uploads:detail", public_id=upload.public_id)


@require_POST
@role_required(*UPLOAD_ROLES)
def upload_commit_view(request: HttpRequest, public_id: UUID) -> HttpResponse:
    upload = tenant_get_object_or_404(request, Upload, public_id=public_id)
    form = CommitForm(request.POST)
    form.is_valid()
    try:
        services.upload_commit_request(
            upload=upload,
            user=request.user,  # type: ignore[arg-type]
            confirm_duplicate=bool(form.cleaned_data.get("confirm_duplicate")),
        )
    except services.UploadActionError as exc:
        messages.error(request, str(exc))
    return redirect("uploads:detail", public_id=upload.public_id)


@require_POST
@role_required(*UPLOAD_ROLES)
def upload_discard_view(request: HttpRequest, public_id: UUID) -> HttpResponse:
    upload = tenant_get_object_or_404(request, Upload, public_id=public_id)
    try:
        services.upload_discard(upload=upload)
    except services.UploadActionError as exc:
        messages.error(request, str(exc))
        return redirect("uploads:detail", public_id=upload.public_id)
    messages.success(request, f"{upload.file_name} discarded; no job was created.")
    return redirect("uploads:index")


class _Echo:
    def write(self, value: str) -> str:
        return value


@role_required(*UPLOAD_ROLES)
def upload_errors_csv(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Every problem, one per line, for fixing the spreadsheet; cells are made formula-safe."""
    upload = tenant_get_object_or_404(request, Upload, public_id=public_id)
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff"
        for row in selectors.upload_error_report(upload=upload):
            yield writer.writerow([spreadsheet_safe(v) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="upload-{upload.public_id}-errors.csv"'
    return response  # type: ignore[return-value]

"""Import and export pages.

Thin views: read the form, check permission (:mod:`accord.integrations.access`, built on the one
permission module), call one action, render. The job page serves the whole page and, for htmx
polls, only its ``progress`` partial, which polls again every second while the job is queued or
running and stops once it is finished.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from accord.accounts.models import User
from accord.contacts.forms import CompanyFilterForm, ContactFilterForm
from accord.contacts.models import Company, Contact
from accord.core.errors import ActionError, Invalid
from accord.core.numbers import ascii_int
from accord.integrations import access, actions, export, parse
from accord.integrations.forms import MappingForm, UploadForm
from accord.integrations.mapping import targets_for
from accord.integrations.models import ImportJob
from accord.integrations.runner import error_report_path
from accord.integrations.upload import SizeLimitUploadHandler

JOBS_PER_PAGE = 25
# A multipart body carries some bytes besides the file (boundaries, the other fields).
MULTIPART_OVERHEAD = 64 * 1024


@dataclass(frozen=True)
class Paging:
    """What ``web/_pagination.html`` shows."""

    page: Page[Any]
    page_range: list[int | str]


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _wants_partial(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]


def _job_for(request: HttpRequest, pk: int) -> ImportJob:
    job = get_object_or_404(ImportJob.objects.select_related("uploaded_by"), pk=pk)
    if not access.may_see_job(_user(request), job):
        raise PermissionDenied("You may not see this import.")
    return job


# ---------------------------------------------------------------- list
@require_GET
@login_required
def import_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    can_import = access.may_import(user)
    can_export = any(access.may_export(user, t) for t in ImportJob.ObjectType.values)
    if not (can_import or can_export):
        raise PermissionDenied("You may not import or export contacts or companies.")
    jobs = access.visible_jobs(user).select_related("uploaded_by")
    paginator = Paginator(jobs, JOBS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    paging = Paging(page, list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)))
    context = {"paging": paging, "can_import": can_import, "can_export": can_export}
    return render(request, "integrations/import_list.html", context)


# ---------------------------------------------------------------- upload
@csrf_exempt
@login_required
@require_http_methods(["GET", "POST"])
def import_new(request: HttpRequest) -> HttpResponse:
    """The upload page. The size limit is checked before the body is read (413 when passed)."""
    user = _user(request)
    types = access.importable_types(user)
    if not types:
        raise PermissionDenied("You may not import contacts or companies.")
    limit = actions.max_upload_bytes()
    if request.method == "POST":
        declared = ascii_int(request.META.get("CONTENT_LENGTH") or "0")
        if declared is None:
            return HttpResponseBadRequest("The Content-Length header is not a number.")
        if declared > limit + MULTIPART_OVERHEAD:
            return _too_large(request, types, limit)
        handler = SizeLimitUploadHandler(request, limit)
        request.upload_handlers.insert(0, handler)
        return _upload(request, types, limit, handler)
    return _upload(request, types, limit, None)


def _too_large(request: HttpRequest, types: list[tuple[str, str]], limit: int) -> HttpResponse:
    form = UploadForm(types=types)
    form.errors["file"] = form.error_class([actions.too_large_message(limit)])
    context = {"form": form, "limit": limit}
    response = render(request, "integrations/import_new.html", context, status=413)
    response["Connection"] = "close"  # the body was not read
    return response


@csrf_protect
def _upload(
    request: HttpRequest, types: list[tuple[str, str]], limit: int, handler: SizeLimitUploadHandler | None
) -> HttpResponse:
    if request.method != "POST":
        return render(
            request, "integrations/import_new.html", {"form": UploadForm(types=types), "limit": limit}
        )
    form = UploadForm(request.POST, request.FILES, types=types)
    if handler is not None and handler.exceeded:
        return _too_large(request, types, limit)
    status = 422
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = actions.create_import(
                upload=upload,
                filename=upload.name or "",
                object_type=form.cleaned_data["object_type"],
                by=_user(request),
            )
        except ActionError as exc:
            form.add_error("file" if "file" in exc.field_errors else None, exc.message)
            status = exc.status
        else:
            return redirect("integrations:import_map", pk=job.pk)
    return render(request, "integrations/import_new.html", {"form": form, "limit": limit}, status=status)


# ---------------------------------------------------------------- mapping
@login_required
@require_http_methods(["GET", "POST"])
def import_map(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_for(request, pk)
    user = _user(request)
    if job.status != ImportJob.Status.UPLOADED:
        return redirect(job)
    if not access.may_manage_job(user, job):
        raise PermissionDenied("You may not start this import.")
    targets = targets_for(job.object_type)
    allow_update = access.may_update_existing(user, job.object_type)
    form = MappingForm(
        request.POST if request.method == "POST" else None,
        headers=job.headers,
        targets=targets,
        suggested=job.mapping,
        allow_update=allow_update,
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                actions.start_import(
                    job, mapping=form.mapping(), on_duplicate=form.cleaned_data["on_duplicate"], by=user
                )
            except Invalid as exc:
                form.add_action_errors(exc.field_errors, exc.message)
            except ActionError as exc:
                messages.error(request, exc.message)
                return redirect(job)
            else:
                return redirect(job)
    try:
        rows = parse.preview(Path(job.file.path), parse.CsvFormat(job.encoding, job.delimiter))
    except OSError:
        messages.error(request, "The uploaded file is no longer on the server. Upload it again.")
        rows = []
    samples = [
        [row[i] for row in rows if i < len(row) and row[i].strip()][:3] for i in range(len(job.headers))
    ]
    context = {
        "job": job,
        "form": form,
        "columns": list(zip(form.columns(), samples, strict=True)),
        "preview": rows,
        "format": parse.CsvFormat(job.encoding, job.delimiter),
        "allow_update": allow_update,
    }
    return render(request, "integrations/import_map.html", context, status=status)


# ---------------------------------------------------------------- the job
@require_GET
@login_required
@vary_on_headers("HX-Request")
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_for(request, pk)
    if job.status == ImportJob.Status.UPLOADED and not _wants_partial(request):
        return redirect("integrations:import_map", pk=job.pk)
    user = _user(request)
    context: dict[str, Any] = {
        "job": job,
        "can_manage": access.may_manage_job(user, job),
        "stalled": actions.is_stalled(job),
        "waiting": job.status == ImportJob.Status.MAPPED
        and (timezone.now() - job.updated_at).total_seconds() > 30,
        "has_report": error_report_path(job) is not None,
    }
    if _wants_partial(request):
        return render(request, "integrations/import_detail.html#progress", context)
    context["mapping"] = actions.describe_mapping(job)
    context["format"] = parse.CsvFormat(job.encoding, job.delimiter)
    return render(request, "integrations/import_detail.html", context)


@require_POST
@login_required
def import_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_for(request, pk)
    if not access.may_manage_job(_user(request), job):
        raise PermissionDenied("You may not cancel this import.")
    try:
        actions.cancel_import(job, by=_user(request))
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Import cancelled. Rows imported before the cancel stay imported.")
    return redirect(job)


@require_POST
@login_required
def import_resume(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_for(request, pk)
    if not access.may_manage_job(_user(request), job):
        raise PermissionDenied("You may not resume this import.")
    try:
        actions.resume_import(job, by=_user(request))
    except ActionError as exc:
        messages.error(request, exc.message)
    return redirect(job)


@require_GET
@login_required
def import_errors(request: HttpRequest, pk: int) -> HttpResponseBase:
    job = _job_for(request, pk)
    path = error_report_path(job)
    if path is None:
        return render(request, "integrations/no_report.html", {"job": job}, status=404)
    name = f"{Path(job.original_filename).stem or 'import'}-errors.csv"
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=name, content_type="text/csv; charset=utf-8"
    )


# ---------------------------------------------------------------- export
@require_GET
@login_required
def export_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not any(access.may_export(user, t) for t in ImportJob.ObjectType.values):
        raise PermissionDenied("You may not export contacts or companies.")
    context = {
        "contact_form": ContactFilterForm(request.GET, user=user),
        "company_form": CompanyFilterForm(request.GET),
        "can_contacts": access.may_export(user, ImportJob.ObjectType.CONTACT),
        "can_companies": access.may_export(user, ImportJob.ObjectType.COMPANY),
    }
    return render(request, "integrations/export.html", context)


def _csv_response(chunks: Any, stem: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(chunks, content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="{stem}-{stamp}.csv"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
@login_required
def export_contacts(request: HttpRequest) -> HttpResponseBase:
    """Contacts as CSV, filtered like the contact list (``q``, ``stage``, ``owner``, ``sort``)."""
    user = _user(request)
    if not access.may_export(user, ImportJob.ObjectType.CONTACT):
        raise PermissionDenied("You may not export contacts.")
    form = ContactFilterForm(request.GET, user=user)
    if request.GET and not form.is_valid():
        return render(request, "integrations/export.html", _bad_filters(request, form), status=400)
    contacts = form.filter(Contact.objects.all())
    if access.exports_own_only(user, ImportJob.ObjectType.CONTACT):
        contacts = contacts.filter(owner=user)
    return _csv_response(export.contact_rows(contacts), "contacts")


@require_GET
@login_required
def export_companies(request: HttpRequest) -> HttpResponseBase:
    """Companies as CSV, filtered like the company list (``q``)."""
    user = _user(request)
    if not access.may_export(user, ImportJob.ObjectType.COMPANY):
        raise PermissionDenied("You may not export companies.")
    form = CompanyFilterForm(request.GET)
    if request.GET and not form.is_valid():
        return render(request, "integrations/export.html", _bad_filters(request, form), status=400)
    companies = form.filter(Company.objects.all())
    if access.exports_own_only(user, ImportJob.ObjectType.COMPANY):
        companies = companies.filter(owner=user)
    return _csv_response(export.company_rows(companies), "companies")


def _bad_filters(request: HttpRequest, form: Any) -> dict[str, Any]:
    user = _user(request)
    return {
        "contact_form": form if isinstance(form, ContactFilterForm) else ContactFilterForm(user=user),
        "company_form": form if isinstance(form, CompanyFilterForm) else CompanyFilterForm(),
        "can_contacts": access.may_export(user, ImportJob.ObjectType.CONTACT),
        "can_companies": access.may_export(user, ImportJob.ObjectType.COMPANY),
        "filter_error": "Some filters are not valid: "
        + "; ".join(
            f"{form.fields[name].label}: {' '.join(errors)}" if name in form.fields else " ".join(errors)
            for name, errors in form.errors.items()
        ),
    }

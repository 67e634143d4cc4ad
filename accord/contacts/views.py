from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse


@login_required
def contact_list(request: HttpRequest) -> HttpResponse:
    return HttpResponse("todo")


@login_required
def contact_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return HttpResponse("todo")


@login_required
def company_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return HttpResponse("todo")

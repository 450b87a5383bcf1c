import re

from django.core.paginator import EmptyPage, Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response


class CappedPaginator(Paginator):
    """Counts a queryset's rows only as far as it needs: up to ``cap`` rows, or to the end of the
    page asked for, and one more. A department's list holds hundreds of thousands of applications;
    counting them all took a quarter of a second on each page. ``exact`` says whether ``count`` is
    the number of rows or only a lower bound (there are more)."""

    cap = 1000
    exact = True
    _floor = 0
    #: No list has this many pages; a larger number would overflow the database's integers
    #: (PostgreSQL's bigint) in the page's OFFSET and the count's LIMIT.
    max_page = 1_000_000

    def page(self, number):
        try:
            wanted = max(int(number), 1)
        except (TypeError, ValueError):
            wanted = 1
        if wanted > self.max_page:
            raise EmptyPage(_("That page contains no results"))
        if wanted * self.per_page > max(self.cap, self._floor):
            self._floor = wanted * self.per_page
            self.__dict__.pop("count", None)
            self.__dict__.pop("num_pages", None)
        return super().page(number)

    @cached_property
    def count(self) -> int:
        if not isinstance(self.object_list, QuerySet):
            return super().count
        limit = max(self.cap, self._floor) + 1
        counted = self.object_list[:limit].count()
        self.exact = counted < limit
        return counted


class Pagination(PageNumberPagination):
    """?page=N&page_size=M (at most 200). ``count`` is exact up to 1,000 rows (or the end of the
    page asked for); beyond, it is a lower bound and ``count_exact`` is false."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    django_paginator_class = CappedPaginator

    def get_page_size(self, request) -> int:
        """``page_size`` if given: a whole number from 1 (larger than 200 reads as 200); anything
        else is a 400 naming it, not the default page read silently."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not re.fullmatch(r"[0-9]{1,9}", raw) or int(raw) < 1:
            raise ValidationError(
                {"page_size": [_("A page size is a whole number from 1 to %(n)s.") % {"n": self.max_page_size}]}
            )
        return min(int(raw), self.max_page_size)

    def get_page_number(self, request, paginator):
        """``page`` as given; given empty (``?page=``) it is a 400, not read as the first page
        (DRF's ``or 1``). Any other bad page is DRF's 404 ("Invalid page.")."""
        if request.query_params.get(self.page_query_param) == "":
            raise ValidationError({"page": [_("A page is a whole number from 1.")]})
        return super().get_page_number(request, paginator)

    def get_paginated_response(self, data) -> Response:
        paginator = self.page.paginator
        return Response(
            {
                "count": paginator.count,
                "count_exact": paginator.exact,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        answer = super().get_paginated_response_schema(schema)
        answer["required"] = ["count", "count_exact", "results"]
        answer["properties"] = {
            "count": {
                "type": "integer",
                "example": 123,
                "description": "The number of results if count_exact, else a lower bound: there are more.",
            },
            "count_exact": {"type": "boolean", "description": "False when count is only a lower bound."},
            **{k: v for k, v in answer["properties"].items() if k != "count"},
        }
        return answer

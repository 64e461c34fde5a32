from rest_framework.pagination import PageNumberPagination


class DefaultPagination(PageNumberPagination):
    """Page numbers with a client-chosen size, capped so one request cannot fetch a whole table."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

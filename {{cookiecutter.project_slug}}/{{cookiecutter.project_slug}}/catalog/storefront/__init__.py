"""The storefront: the catalogue as server-rendered pages at /shop/, beside the API.

Django's model-view-template: views.py reads through the selectors and the API's own filter set,
the templates (catalog/templates/catalog/storefront/) render, and every page is cached under the
namespaces the API's responses use (catalog/caching.py). No JavaScript, and nothing inline that
the Content-Security-Policy would refuse.
"""

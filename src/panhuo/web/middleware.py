class ChineseByDefaultMiddleware:
    """Serve Simplified Chinese unless the user chose another language with the switch.

    Branch PCs often run an English-language browser; the staff still expect Chinese. Django's LocaleMiddleware
    would follow the browser's Accept-Language, so we drop that header and let the language cookie (set by the
    switch) or LANGUAGE_CODE decide.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)

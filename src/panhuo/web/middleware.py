import time


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


class IdleSessionMiddleware:
    """Keep a session alive while it is used, writing it at most once a minute.

    Sessions end after 30 idle minutes (SESSION_COOKIE_AGE). Django's SESSION_SAVE_EVERY_REQUEST would give every
    page a transaction that rewrites the session row; here a used session is rewritten (its expiry pushed 30
    minutes on) only when its last write is a minute old, so a session ends 29 to 30 minutes after its last
    request. Listed right after SessionMiddleware, whose response step saves what this marks.
    """

    TOUCH_SECONDS = 60
    KEY = "_touched"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # No key: an anonymous visitor's empty session, which Django does not store at all.
        if session is not None and session.session_key and not session.is_empty():
            now = int(time.time())
            if now - session.get(self.KEY, 0) >= self.TOUCH_SECONDS:
                session[self.KEY] = now
        return response

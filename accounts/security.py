from django.conf import settings


def client_ip_address(request) -> str | None:
    """The address sign-in throttling counts failures against.

    Behind our TLS proxy every request comes from the proxy; the client is the entry the
    proxy appended, the last one of X-Forwarded-For (earlier entries are the client's own
    claims and cannot be trusted). Without a proxy, the socket's address.
    """
    if settings.BEHIND_TLS_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded.strip():
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR")
